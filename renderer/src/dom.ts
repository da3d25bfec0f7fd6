// A tiny DOM builder: h('button', { class: 'primary', onclick }, 'Save'). No virtual DOM, no diffing — screens keep
// references to the nodes they update. Never sets `style` or `innerHTML`: the CSP forbids inline styles, and text
// goes in as text nodes so nothing the proxy says can become markup.

export type Child = Node | string | number | null | undefined | false | readonly Child[];
type Handler = (event: Event) => void;
export type Props = Record<string, string | number | boolean | null | undefined | Handler>;

/** Properties rather than attributes: they reflect what the person typed or ticked. */
const LIVE_PROPERTIES = new Set(['value', 'checked']);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

export function setProps(el: HTMLElement, props: Props): void {
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value == null || value === false ? '' : String(value);
    } else if (LIVE_PROPERTIES.has(key)) {
      (el as unknown as Record<string, unknown>)[key] = key === 'checked' ? Boolean(value) : String(value ?? '');
    } else if (value === true) {
      el.setAttribute(key, '');
    } else if (value === false || value == null) {
      el.removeAttribute(key);
    } else {
      el.setAttribute(key, String(value));
    }
  }
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = '';
  append(parent, children);
}

export function text(value: string): Text {
  return document.createTextNode(value);
}

let idCounter = 0;
/** A document-unique id for label/description wiring. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el as T;
}

// The baseline: the same admin calls as Keyfob's client makes, with nothing around them — node:http on the
// process-wide keep-alive agent (the one axios uses too), a JSON body out and a JSON body parsed back.
import http from 'node:http';

export class BareClient {
  private readonly base: URL;

  constructor(baseUrl: string, private readonly adminKey: string) {
    this.base = new URL(baseUrl);
  }

  post(path: string, body: unknown): Promise<Record<string, unknown>> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path,
          method: 'POST',
          agent: http.globalAgent,
          headers: {
            Authorization: `Bearer ${this.adminKey}`,
            Accept: 'application/json',
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 0) >= 300) reject(new Error(`${path}: HTTP ${res.statusCode}`));
            else resolve(JSON.parse(text) as Record<string, unknown>);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}

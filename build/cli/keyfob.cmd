@echo off
rem `keyfob`: the command-line tool of the Keyfob desktop app. It runs the app's own binary in its CLI mode
rem (`--cli`); "Install command-line tool" in the app adds this folder to the user PATH.
"%~dp0..\Keyfob.exe" --cli -- %*
exit /b %ERRORLEVEL%

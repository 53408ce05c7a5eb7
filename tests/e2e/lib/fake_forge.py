#!/usr/bin/env python3
"""A stand-in for a forge's HTTP API on loopback, for the notify tests.

    python3 fake_forge.py PORT_FILE REQUESTS_FILE

Listens on 127.0.0.1, on a port of the system's choosing, and writes that port
to PORT_FILE once it accepts connections. Each request is appended to
REQUESTS_FILE as one JSON line: {"method", "path", "authorization", "body"}
(the body parsed as JSON, or its text when it is not JSON), and answered 201
with an empty JSON object. Runs until killed.
"""
import http.server
import json
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        entry = {
            "method": self.command,
            "path": self.path,
            "authorization": self.headers.get("Authorization"),
            "body": body,
        }
        with open(self.server.requests_file, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
        answer = b"{}\n"
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_POST = _record
    do_GET = _record
    do_PUT = _record
    do_PATCH = _record

    def log_message(self, *args):
        pass


def main():
    port_file, requests_file = sys.argv[1], sys.argv[2]
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    server.requests_file = requests_file
    # The port appears whole or not at all: written aside, then renamed.
    with open(port_file + ".tmp", "w", encoding="utf-8") as out:
        out.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()

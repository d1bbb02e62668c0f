"""The SDK's HTTP client over a kept-alive connection the server has since closed while idle (uvicorn
closes idle connections after 5 s, as long as a sweep agent waits between heartbeats): the next
request goes out on a fresh connection at once, without a backoff or a retry spent."""

from __future__ import annotations

import http.server
import json
import threading

from runyard.sdk.http_client import Client


class _OneAnswerPerConnection(http.server.BaseHTTPRequestHandler):
    """Answers with keep-alive promised, then closes the connection as an idle timeout would."""

    protocol_version = "HTTP/1.1"
    served: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.served.append(json.loads(body)["n"])
        out = json.dumps({"ok": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
        self.close_connection = True  # silently: the client still believes it may reuse it

    def log_message(self, *args: object) -> None:
        pass


def test_a_connection_closed_while_idle_is_replaced_without_spending_a_retry():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OneAnswerPerConnection)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        c = Client(f"http://127.0.0.1:{srv.server_address[1]}", "key", retries=0)
        try:
            for n in range(3):  # with no retries allowed, only a fresh connection gets these through
                assert c.post_json("/api/x", {"n": n}) == {"ok": True}
        finally:
            c.close()
        assert _OneAnswerPerConnection.served == [0, 1, 2]  # each request served once
    finally:
        srv.shutdown()
        srv.server_close()

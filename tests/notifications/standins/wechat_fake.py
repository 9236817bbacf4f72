"""A local fake of the WeChat official account API and the WeCom group robot webhook.

Implements /cgi-bin/stable_token, /cgi-bin/message/template/send, /sns/oauth2/access_token
and /cgi-bin/webhook/send with WeChat's documented error codes: 40001/42001 (token
invalid/expired), 43101 (user refused), 43004 (not following), 45009 (rate limit).
"""

import json
import uuid

from tests.notifications.standins.server import Standin


class FakeWeChat(Standin):
    def __init__(self, *, appid: str = "wx-test", secret: str = "secret-test"):
        super().__init__()
        self.appid, self.secret = appid, secret
        self.token_requests: list[dict] = []
        self.sent: list[dict] = []  # accepted template messages
        self.send_requests: list[dict] = []
        self.valid_tokens: set[str] = set()
        self.codes: dict[str, str] = {}  # OAuth code -> openid
        self.openid_errors: dict[str, int] = {}  # openid -> errcode to answer
        self.robot_keys: set[str] = set()
        self.robot_posts: list[dict] = []
        self.robot_keys_seen: list[str] = []

    def expire_all_tokens(self) -> None:
        with self.lock:
            self.valid_tokens.clear()

    def handle(self, handler, method, path, query, raw):
        body = json.loads(raw or b"{}") if method == "POST" else {}
        if path == "/cgi-bin/stable_token":
            return self._stable_token(handler, body)
        if path == "/cgi-bin/message/template/send":
            return self._template_send(handler, query, body)
        if path == "/sns/oauth2/access_token":
            openid = self.codes.pop(query.get("code", ""), None)
            if query.get("appid") != self.appid or query.get("secret") != self.secret or openid is None:
                return handler._reply(200, {"errcode": 40029, "errmsg": "invalid code"})
            return handler._reply(
                200, {"access_token": "web-x", "expires_in": 7200, "openid": openid, "scope": "snsapi_base"}
            )
        if path == "/cgi-bin/webhook/send":
            key = query.get("key", "")
            with self.lock:
                self.robot_keys_seen.append(key)
            if key not in self.robot_keys:
                return handler._reply(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
            with self.lock:
                self.robot_posts.append(body)
            return handler._reply(200, {"errcode": 0, "errmsg": "ok"})
        handler._reply(404, {"errcode": 404, "errmsg": "not found"})

    def _stable_token(self, handler, body):
        with self.lock:
            self.token_requests.append(body)
        if body.get("grant_type") != "client_credential" or body.get("appid") != self.appid:
            return handler._reply(200, {"errcode": 40013, "errmsg": "invalid appid"})
        if body.get("secret") != self.secret:
            return handler._reply(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
        token = "TOKEN-" + uuid.uuid4().hex
        with self.lock:
            self.valid_tokens.add(token)
        handler._reply(200, {"access_token": token, "expires_in": 7200})

    def _template_send(self, handler, query, body):
        with self.lock:
            self.send_requests.append({"token": query.get("access_token"), **body})
            valid = query.get("access_token") in self.valid_tokens
        if not valid:
            return handler._reply(200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
        for name, item in body.get("data", {}).items():
            if len(item.get("value", "")) > 20:
                return handler._reply(
                    200, {"errcode": 47003, "errmsg": f"argument invalid! data.{name}.value too long"}
                )
        code = self.openid_errors.get(body.get("touser"))
        if code:
            return handler._reply(200, {"errcode": code, "errmsg": "refused" if code == 43101 else "require subscribe"})
        msgid = len(self.sent) + 1000
        with self.lock:
            self.sent.append(body)
        handler._reply(200, {"errcode": 0, "errmsg": "ok", "msgid": msgid})

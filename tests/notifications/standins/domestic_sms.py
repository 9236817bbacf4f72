"""Local fakes of Aliyun SMS (dysmsapi 2017-05-25) and Tencent Cloud SMS (2021-01-11).

The real SDKs are pointed at these (``ALIYUN_SMS_ENDPOINT`` / ``TENCENT_SMS_ENDPOINT``).
Each fake checks the request signature the way the vendor documents it, with the test key:
Aliyun's ACS3-HMAC-SHA256 (canonical request over the signed headers, query and the body's
SHA-256) and Tencent's TC3-HMAC-SHA256 (derived key per date and service). It answers with
the vendors' documented response shapes and error codes, keeps what it accepted (so a test
counts what reached "the provider"), serves the query used by reconciliation
(QuerySendDetails / PullSmsSendStatusByPhoneNumber) and builds the receipts each vendor
pushes (Aliyun SmsReport, Tencent's status callback).
"""

import datetime
import hashlib
import hmac
import json
import threading
import time
import uuid
from urllib.parse import parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

from tests.notifications.standins.server import Standin, StandinHandler

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALIYUN_KEY_ID = "LTAI-test-key-id"
ALIYUN_KEY_SECRET = "aliyun-test-secret-0123456789"
TENCENT_SECRET_ID = "AKID-test-secret-id"
TENCENT_SECRET_KEY = "tencent-test-secret-key-0123456789"
TENCENT_APP_ID = "1400000001"
SIGN_NAME = "爱心妈妈"


class FastHandler(StandinHandler):
    # Headers and body go out in two writes: without TCP_NODELAY each answer waits ~40 ms for
    # the client's delayed ACK, and the stand-in, not the code under test, sets the benchmark's pace.
    disable_nagle_algorithm = True


class ProviderFake(Standin):
    """What both fakes share: scripted answers per number, an outage switch, a hang, counting."""

    def __init__(self):
        super().__init__()
        self.httpd.RequestHandlerClass = FastHandler
        self.created: list[dict] = []  # every accepted message (one per number), in order
        self.requests: list[dict] = []  # every send request whose signature was good
        self.rejected: list[str] = []  # why requests were refused before any checks of content
        self.queries: list[dict] = []
        # Number -> scripted answers used up in order: an error code, "500" or "timeout".
        self.script: dict[str, list[str]] = {}
        self.failing: str | None = None  # while set, every send answers it
        # Accept the n-th send request (1-based), then hang until ``release`` is set (crash tests).
        self.hang_after_accepting: int | None = None
        self.release = threading.Event()
        self.hung = 0  # requests that hung so (a crash test checks its crash really happened)
        self.delay = 0.0
        self.in_flight = 0
        self.templates: dict[str, tuple[str, ...]] = {}  # approved template code -> variable names
        self.sign_names = {SIGN_NAME}
        self._nonces: set[str] = set()

    def approve(self, code: str, variables) -> None:
        self.templates[code] = tuple(variables)

    def count_for(self, to: str, params) -> int:
        with self.lock:
            return sum(1 for m in self.created if m["to"] == to and m["params"] == params)

    def handle(self, handler, method, path, query, raw):
        with self.lock:
            self.in_flight += 1
        try:
            if path == "/_stats":
                with self.lock:
                    distinct = {(m["to"], json.dumps(m["params"], sort_keys=True)) for m in self.created}
                    return handler._reply(200, {"created": len(self.created), "distinct": len(distinct)})
            return self._handle(handler, method, path, raw)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _scripted(self, numbers: list[str]) -> str:
        with self.lock:
            for number in numbers:
                if self.script.get(number):
                    return self.script[number].pop(0)
            return self.failing or "ok"

    def _record(self, request: dict) -> int:
        """Keep a send request; return its number (1-based), fixed on arrival."""
        with self.lock:
            self.requests.append(request)
            return len(self.requests)

    def _accept(self, records: list[dict], number: int) -> None:
        assert isinstance(number, int), number  # the request's number, not a phone number
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.created.extend(records)
            hang = self.hang_after_accepting is not None and number == self.hang_after_accepting
            self.hung += hang
        if hang:
            # Accepted, but the answer never arrives: the worker dies before it can record it.
            self.release.wait(30)

    def _nonce_fresh(self, nonce: str) -> bool:
        with self.lock:
            if not nonce or nonce in self._nonces:
                return False
            self._nonces.add(nonce)
            return True


# --- Aliyun ----------------------------------------------------------------------------------


def _acs_quote(value: str) -> str:
    return quote(value, safe="~")


def acs3_signature(
    *, method: str, path: str, query: dict, headers: dict, signed: list[str], payload_hash: str, secret: str
) -> str:
    """Aliyun's V3 signature (ACS3-HMAC-SHA256) of a request, as its documentation defines it."""
    canonical_query = "&".join(f"{_acs_quote(k)}={_acs_quote(v)}" for k, v in sorted(query.items()))
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
    canonical = "\n".join([method, path or "/", canonical_query, canonical_headers, ";".join(signed), payload_hash])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


class FakeAliyun(ProviderFake):
    def __init__(self, *, key_id: str = ALIYUN_KEY_ID, secret: str = ALIYUN_KEY_SECRET):
        super().__init__()
        self.key_id, self.secret = key_id, secret

    def _error(self, handler, status: int, code: str, message: str):
        return handler._reply(status, {"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper()})

    def _handle(self, handler, method, path, raw):
        query = dict(parse_qsl(urlsplit(handler.path).query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        problem = self._check_signature(method, path, query, headers, raw)
        if problem:
            self.rejected.append(problem[1])
            return self._error(handler, problem[0], problem[1], problem[2])
        params = {**query, **dict(parse_qsl(raw.decode(), keep_blank_values=True))}
        action = headers.get("x-acs-action", "")
        if action == "QuerySendDetails":
            return self._query(handler, params)
        if action == "SendSms":
            numbers = params.get("PhoneNumbers", "").split(",")
            sign_names = [params.get("SignName", "")] * len(numbers)
            values = [json.loads(params.get("TemplateParam") or "{}")] * len(numbers)
        elif action == "SendBatchSms":
            numbers = json.loads(params.get("PhoneNumberJson") or "[]")
            sign_names = json.loads(params.get("SignNameJson") or "[]")
            values = json.loads(params.get("TemplateParamJson") or "[]")
        else:
            return self._error(handler, 404, "InvalidAction.NotFound", f"Specified api is not found: {action}")
        number = self._record({"action": action, **params})
        answer = self._scripted(numbers)
        if answer == "500":
            return self._error(handler, 500, "isp.SYSTEM_ERROR", "系统出现错误")
        if answer == "timeout":
            self.release.wait(5)
            return self._error(handler, 503, "ServiceUnavailable", "The request has failed due to a temporary failure")
        if answer != "ok":
            return self._error(handler, 200, answer, "scripted error")
        code = params.get("TemplateCode", "")
        if not numbers or len(numbers) > 100 or not (len(numbers) == len(sign_names) == len(values)):
            return self._error(handler, 200, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        if any(not (n.isdigit() and len(n) in (11, 13)) for n in numbers):
            return self._error(handler, 200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if any(s not in self.sign_names for s in sign_names):
            return self._error(handler, 200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if code not in self.templates:
            return self._error(handler, 200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        if any(set(self.templates[code]) - set(v) for v in values):
            return self._error(handler, 200, "isv.TEMPLATE_MISSING_PARAMETERS", "模版缺少变量")
        biz_id = f"{int(time.time() * 1000) % 10**12}^{uuid.uuid4().int % 10**9}"
        now = datetime.datetime.now(SHANGHAI)
        self._accept(
            [
                {
                    "to": "+86" + n if len(n) == 11 else "+" + n,
                    "template": code,
                    "params": v,
                    "tag": params.get("OutId", ""),
                    "id": biz_id,
                    "sent_at": now,
                }
                for n, v in zip(numbers, values, strict=True)
            ],
            number,
        )
        return handler._reply(
            200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": str(uuid.uuid4()).upper()}
        )

    def _check_signature(self, method, path, query, headers, raw):
        auth = headers.get("authorization", "")
        algorithm, _sep, rest = auth.partition(" ")
        fields = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        if algorithm != "ACS3-HMAC-SHA256" or not {"Credential", "SignedHeaders", "Signature"} <= set(fields):
            return 400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."
        if fields["Credential"] != self.key_id:
            return 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
        signed = fields["SignedHeaders"].split(";")
        required = {
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
        }
        if not required <= set(signed) or signed != sorted(signed):
            return 400, "IncompleteSignature", "Required headers are not signed."
        payload_hash = hashlib.sha256(raw).hexdigest()
        if headers.get("x-acs-content-sha256") != payload_hash:
            return 400, "SignatureDoesNotMatch", "The request body does not match x-acs-content-sha256."
        expected = acs3_signature(
            method=method,
            path=path,
            query=query,
            headers=headers,
            signed=signed,
            payload_hash=payload_hash,
            secret=self.secret,
        )
        if not hmac.compare_digest(expected, fields["Signature"]):
            return 400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
        try:
            date = datetime.datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
        except ValueError:
            return 400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
        if abs((datetime.datetime.now(datetime.UTC) - date).total_seconds()) > 15 * 60:
            return 400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
        if not self._nonce_fresh(headers.get("x-acs-signature-nonce", "")):
            return 400, "SignatureNonceUsed", "Specified signature nonce was used already."
        return None

    def _query(self, handler, params):
        self.queries.append(params)
        phone, day = params.get("PhoneNumber", ""), params.get("SendDate", "")
        with self.lock:
            found = [
                m
                for m in self.created
                if m["to"].removeprefix("+86") == phone and m["sent_at"].astimezone(SHANGHAI).strftime("%Y%m%d") == day
            ]
        size, page = int(params.get("PageSize") or 10), int(params.get("CurrentPage") or 1)
        shown = found[(page - 1) * size : page * size]
        return handler._reply(
            200,
            {
                "Code": "OK",
                "Message": "OK",
                "RequestId": str(uuid.uuid4()).upper(),
                "TotalCount": len(found),
                "SmsSendDetailDTOs": {
                    "SmsSendDetailDTO": [
                        {
                            "PhoneNum": phone,
                            "SendStatus": 3,
                            "ErrCode": "DELIVERED",
                            "TemplateCode": m["template"],
                            "Content": f"【{SIGN_NAME}】…",
                            "SendDate": m["sent_at"].strftime("%Y-%m-%d %H:%M:%S"),
                            "ReceiveDate": m["sent_at"].strftime("%Y-%m-%d %H:%M:%S"),
                            "OutId": m["tag"],
                        }
                        for m in shown
                    ]
                },
            },
        )

    def receipts(self, *, success: bool = True, err_code: str = "DELIVERED", only: list[dict] | None = None) -> list:
        """The SmsReport push Aliyun makes for accepted messages (a JSON array)."""
        with self.lock:
            records = list(only if only is not None else self.created)
        return [
            {
                "phone_number": m["to"].removeprefix("+86"),
                "send_time": m["sent_at"].strftime("%Y-%m-%d %H:%M:%S"),
                "report_time": datetime.datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                "success": success,
                "err_code": err_code,
                "err_msg": "用户接收成功" if success else "失败",
                "sms_size": "1",
                "biz_id": m["id"],
                "out_id": m["tag"],
            }
            for m in records
        ]


# --- Tencent Cloud -----------------------------------------------------------------------------


def tc3_signature(*, secret_key: str, timestamp: int, service: str, canonical_request: str) -> str:
    """Tencent Cloud's TC3-HMAC-SHA256 signature, as its documentation defines it."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n" + hashlib.sha256(canonical_request.encode()).hexdigest()

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(("TC3" + secret_key).encode(), date), service), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencent(ProviderFake):
    def __init__(self, *, secret_id: str = TENCENT_SECRET_ID, secret_key: str = TENCENT_SECRET_KEY):
        super().__init__()
        self.secret_id, self.secret_key = secret_id, secret_key
        self.app_id = TENCENT_APP_ID

    def _reply(self, handler, response: dict):
        body = json.dumps({"Response": {**response, "RequestId": str(uuid.uuid4())}}, ensure_ascii=False).encode()
        handler._reply(200, body, "application/json")

    def _error(self, handler, code: str, message: str):
        return self._reply(handler, {"Error": {"Code": code, "Message": message}})

    def _handle(self, handler, method, path, raw):
        headers = {k.lower(): v for k, v in handler.headers.items()}
        problem = self._check_signature(method, path, headers, raw)
        if problem:
            self.rejected.append(problem[0])
            return self._error(handler, *problem)
        body = json.loads(raw or b"{}")
        action = headers.get("x-tc-action", "")
        if body.get("SmsSdkAppId") != self.app_id:
            return self._error(handler, "UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verify fail.")
        if action == "PullSmsSendStatusByPhoneNumber":
            return self._pull(handler, body)
        if action != "SendSms":
            return self._error(handler, "InvalidAction", f"The action {action} is not found.")
        numbers = body.get("PhoneNumberSet") or []
        number = self._record(body)
        answer = self._scripted(numbers)
        if answer == "500":
            return handler._reply(502, b"Bad Gateway", "text/plain")
        if answer == "timeout":
            self.release.wait(5)
            return self._error(handler, "InternalError.Timeout", "The request timed out.")
        if answer.startswith(("AuthFailure", "UnauthorizedOperation", "RequestLimitExceeded", "InternalError")):
            return self._error(handler, answer, "scripted error")
        if not numbers or len(numbers) > 200:
            return self._error(handler, "LimitExceeded.PhoneNumberCountLimit", "单次提交号码数超过200。")
        if body.get("SignName") not in self.sign_names:
            return self._error(handler, "FailedOperation.SignatureIncorrectOrUnapproved", "签名格式错误或签名未审批。")
        code = body.get("TemplateId", "")
        if code not in self.templates:
            return self._error(handler, "FailedOperation.TemplateIncorrectOrUnapproved", "模板ID不存在或未审批。")
        values = body.get("TemplateParamSet") or []
        if len(values) != len(self.templates[code]):
            return self._error(
                handler,
                "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
                "请求内容与审核通过的模板内容不匹配。",
            )
        statuses, accepted = [], []
        for phone in numbers:  # not `number`: that is the request's number, for the hang
            per_number = answer if answer != "ok" else "Ok"
            if per_number == "Ok" and not (phone.startswith("+86") and len(phone) == 14 and phone[1:].isdigit()):
                per_number = "InvalidParameterValue.IncorrectPhoneNumber"
            serial = f"2433:{uuid.uuid4().int % 10**28}" if per_number == "Ok" else ""
            statuses.append(
                {
                    "SerialNo": serial,
                    "PhoneNumber": phone,
                    "Fee": 1 if serial else 0,
                    "SessionContext": body.get("SessionContext", ""),
                    "Code": per_number,
                    "Message": "send success" if serial else "scripted error",
                    "IsoCode": "CN",
                }
            )
            if serial:
                accepted.append(
                    {
                        "to": phone,
                        "template": code,
                        "params": values,
                        "tag": body.get("SessionContext", ""),
                        "id": serial,
                        "sent_at": datetime.datetime.now(SHANGHAI),
                    }
                )
        self._accept(accepted, number)
        return self._reply(handler, {"SendStatusSet": statuses})

    def _check_signature(self, method, path, headers, raw):
        auth = headers.get("authorization", "")
        algorithm, _sep, rest = auth.partition(" ")
        fields = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        if algorithm != "TC3-HMAC-SHA256" or not {"Credential", "SignedHeaders", "Signature"} <= set(fields):
            return "AuthFailure.InvalidAuthorization", "Authorization header does not conform to the TC3 standard."
        secret_id, _sep, scope = fields["Credential"].partition("/")
        if secret_id != self.secret_id:
            return "AuthFailure.SecretIdNotFound", "The SecretId is not found."
        try:
            timestamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            return "AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing."
        if abs(time.time() - timestamp) > 300:
            return (
                "AuthFailure.SignatureExpire",
                "Signature expired: timestamp differs from server time by over 5 minutes.",
            )
        signed = fields["SignedHeaders"].split(";")
        if not {"content-type", "host"} <= set(signed):
            return "AuthFailure.InvalidAuthorization", "content-type and host must be signed."
        # The SDK POSTs JSON: no query string; the signed headers as sent.
        canonical = "\n".join(
            [
                method,
                path or "/",
                "",
                "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed),
                ";".join(signed),
                hashlib.sha256(raw).hexdigest(),
            ]
        )
        service = scope.split("/")[1] if scope.count("/") >= 2 else ""
        expected = tc3_signature(
            secret_key=self.secret_key, timestamp=timestamp, service=service, canonical_request=canonical
        )
        if service != "sms" or not hmac.compare_digest(expected, fields["Signature"]):
            return "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
        return None

    def _pull(self, handler, body):
        self.queries.append(body)
        begin, end = int(body.get("BeginTime") or 0), int(body.get("EndTime") or 2**31)
        with self.lock:
            found = [
                m
                for m in self.created
                if m["to"] == body.get("PhoneNumber") and begin <= m["sent_at"].timestamp() <= end
            ]
        offset, limit = int(body.get("Offset") or 0), int(body.get("Limit") or 100)
        return self._reply(
            handler,
            {
                "PullSmsSendStatusSet": [
                    {
                        "UserReceiveTime": m["sent_at"].strftime("%Y-%m-%d %H:%M:%S"),
                        "CountryCode": "86",
                        "SubscriberNumber": m["to"].removeprefix("+86"),
                        "PhoneNumber": m["to"],
                        "SerialNo": m["id"],
                        "ReportStatus": "SUCCESS",
                        "Description": "用户短信送达成功",
                        "SessionContext": m["tag"],
                    }
                    for m in found[offset : offset + limit]
                ]
            },
        )

    def receipts(self, *, success: bool = True, errmsg: str = "DELIVRD", only: list[dict] | None = None) -> list:
        """The status callback Tencent Cloud makes for accepted messages (a JSON array)."""
        with self.lock:
            records = list(only if only is not None else self.created)
        return [
            {
                "user_receive_time": m["sent_at"].strftime("%Y-%m-%d %H:%M:%S"),
                "nationcode": "86",
                "mobile": m["to"].removeprefix("+86"),
                "report_status": "SUCCESS" if success else "FAIL",
                "errmsg": errmsg,
                "description": "用户短信送达成功" if success else "用户短信接收失败",
                "sid": m["id"],
            }
            for m in records
        ]


if __name__ == "__main__":
    import sys

    from tests.notifications.standins.server import QuietServer

    fake = {"aliyun": FakeAliyun, "tencent": FakeTencent}[sys.argv[1]]()
    fake.httpd.server_close()
    fake.httpd = QuietServer(("127.0.0.1", int(sys.argv[2])), FastHandler)
    fake.httpd.app = fake
    # The benchmark's and demo's templates: every registered name's code is "T-<name>".
    for code_and_vars in sys.argv[3:]:
        code, _sep, names = code_and_vars.partition("=")
        fake.approve(code, [n for n in names.split(",") if n])
    print(f"fake {sys.argv[1]} SMS on {fake.url}", flush=True)
    threading.Thread(target=fake.httpd.serve_forever, daemon=True).start()
    threading.Event().wait()

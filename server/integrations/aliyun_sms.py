"""Aliyun dysmsapi (短信服务) implementation of the SMS port.

The official SDK (`aliyunsdkcore` + `aliyunsdkdysmsapi`) is blocking, so every call runs on the
shared thread pool, never on the event loop. The SDK's own retries are off: SendSms is not
idempotent, and the outbox relay already retries with backoff and records every answer.

Answers are mapped onto `SendResult`:
- `OK` → sent;
- flow control (`isv.BUSINESS_LIMIT_CONTROL`, `isv.DAY_LIMIT_CONTROL`, `Throttling*`) → rate limited,
  worth retrying later;
- caller mistakes (bad number, template, signature, parameters, keys…) → permanent;
- network errors, timeouts, HTTP 5xx and platform (`isp.*`) errors → worth retrying.

`find_sent` answers the outbox relay's question after a crash ("did this message reach Aliyun?") with
QuerySendDetails: Aliyun lists a number's messages of one day (China time), and ours carry the outbox
id as `OutId`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from concurrent.futures import Executor

from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkdysmsapi.request.v20170525.QuerySendDetailsRequest import QuerySendDetailsRequest
from aliyunsdkdysmsapi.request.v20170525.SendSmsRequest import SendSmsRequest

from server.core.privacy import mask_phone, mask_text
from server.core.timeutil import today_cst
from server.integrations.sms import SendResult

log = logging.getLogger(__name__)

# The SDK logs every server error with the full string-to-sign (phone number included) and
# without our masking context; we log one masked line per message ourselves.
logging.getLogger("aliyunsdkcore").setLevel(logging.CRITICAL)

# Aliyun's flow control: the message may go through later, and a login code must be refused now.
RATE_LIMITED = frozenset({
    "isv.BUSINESS_LIMIT_CONTROL",  # per-number minute/hour/day limits
    "isv.DAY_LIMIT_CONTROL",  # the account's daily quota
    "Throttling", "Throttling.User", "Throttling.Api", "Throttling.API",
})

# Not the caller's fault and not flow control: try again later.
RETRYABLE = frozenset({
    "isv.AMOUNT_NOT_ENOUGH",  # 余额不足: an operator tops up
    "isv.OUT_OF_SERVICE",  # 业务停机 (arrears)
    "isp.SYSTEM_ERROR",
    "isp.GATEWAY_ERROR",
    "ServiceUnavailable",
    "InternalError",
    "SDK.HttpError",
    "SDK.UnknownServerError",
})

# Explicitly permanent (the default for any other `isv.*` and 4xx code too).
PERMANENT = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.SMS_CONTENT_ILLEGAL",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.PARAM_NOT_SUPPORT_URL",
    "isv.EXTEND_CODE_ERROR",
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "isp.RAM_PERMISSION_DENY",
    "SignatureDoesNotMatch",
    "InvalidAccessKeySecret",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "MissingParameter",
})


# QuerySendDetails: SendDate is a day in China time; at most 50 records a page. A number gets few
# messages a day (Aliyun's own per-number limits), so a few pages cover it.
QUERY_PAGE_SIZE = 50
QUERY_MAX_PAGES = 10


def china_dates(since: dt.datetime, until: dt.datetime) -> list[str]:
    """The yyyyMMdd days (China time) that the naive-UTC span [since, until] touches."""
    first = today_cst(since)
    last = today_cst(until)
    days = [first + dt.timedelta(days=i) for i in range(max((last - first).days, 0) + 1)]
    return [d.strftime("%Y%m%d") for d in days[:3]]


def classify(code: str, http_status: int | None = None) -> SendResult:
    """Map an Aliyun answer code (and the HTTP status when it was an HTTP error) to a result
    without detail."""
    if code == "OK":
        return SendResult(ok=True, code=code)
    if code in RATE_LIMITED or code.startswith("Throttling"):
        return SendResult(ok=False, code=code, retryable=True, rate_limited=True)
    if code in RETRYABLE or code.startswith("isp.") and code not in PERMANENT:
        return SendResult(ok=False, code=code, retryable=True)
    if code in PERMANENT or code.startswith("isv."):
        return SendResult(ok=False, code=code)
    if http_status is not None and http_status >= 500:
        return SendResult(ok=False, code=code, retryable=True)
    if http_status is not None and 400 <= http_status < 500:
        return SendResult(ok=False, code=code)
    # an unknown code in a 200 answer: better late than lost
    return SendResult(ok=False, code=code or "UNKNOWN", retryable=True)


def _detail(**fields) -> str:
    """The provider's answer as stored on the outbox row: masked, short, JSON."""
    out = {}
    for key, value in fields.items():
        if value is None or value == "":
            continue
        out[key] = mask_text(str(value))[:300] if isinstance(value, str) else value
    return json.dumps(out, ensure_ascii=False)


class AliyunSmsSender:
    """SendSms through the official SDK, on the thread pool."""

    name = "aliyun"

    def __init__(self, client: AcsClient, executor: Executor, *, sign_name: str, templates: dict[str, str],
                 endpoint: str, protocol: str = "https"):
        self.client = client
        self.executor = executor
        self.sign_name = sign_name
        self.templates = dict(templates)
        self.endpoint = endpoint
        self.protocol = protocol

    @classmethod
    def from_config(cls, config, executor: Executor) -> AliyunSmsSender:
        """Build the sender from `Config` (keys, region, endpoint, protocol, sign name, template codes)."""
        client = AcsClient(
            config.aliyun_access_key_id,
            config.aliyun_access_key_secret,
            config.aliyun_sms_region,
            auto_retry=False,
            connect_timeout=config.aliyun_sms_connect_timeout,
            timeout=config.aliyun_sms_read_timeout,
            pool_size=getattr(executor, "_max_workers", 10),
        )
        return cls(client, executor, sign_name=config.aliyun_sms_sign_name,
                   templates=config.aliyun_sms_templates, endpoint=config.aliyun_sms_endpoint,
                   protocol=config.aliyun_sms_protocol)

    def _request(self, phone: str, template_code: str, params: dict, out_id: str | None) -> SendSmsRequest:
        request = SendSmsRequest()
        # an explicit endpoint skips the SDK's endpoint resolution (and allows a test double)
        request.set_endpoint(self.endpoint)
        request.set_protocol_type(self.protocol)
        request.set_accept_format("JSON")
        request.set_PhoneNumbers(phone)
        request.set_SignName(self.sign_name)
        request.set_TemplateCode(template_code)
        # template variables are strings on Aliyun's side
        request.set_TemplateParam(json.dumps({k: str(v) for k, v in params.items()}, ensure_ascii=False))
        if out_id:
            request.set_OutId(out_id)
        return request

    def _query_request(self, phone: str, send_date: str, page: int) -> QuerySendDetailsRequest:
        request = QuerySendDetailsRequest()
        request.set_endpoint(self.endpoint)
        request.set_protocol_type(self.protocol)
        request.set_accept_format("JSON")
        request.set_PhoneNumber(phone)
        request.set_SendDate(send_date)
        request.set_PageSize(QUERY_PAGE_SIZE)
        request.set_CurrentPage(page)
        return request

    async def _query_page(self, phone: str, send_date: str, page: int) -> dict | SendResult:
        """One page of QuerySendDetails as the answer's JSON, or a failed result: retryable for trouble
        that passes (network, throttling, outages), permanent for a refusal that will not (e.g. the
        RAM user lacks `dysms:QuerySendDetails`), which the relay records as dead instead of resending."""
        request = self._query_request(phone, send_date, page)
        loop = asyncio.get_running_loop()
        try:
            body = await loop.run_in_executor(self.executor, self.client.do_action_with_exception, request)
            answer = json.loads(body)
            code = str(answer.get("Code") or "")
        except ServerException as exc:
            result = classify(exc.get_error_code(), exc.get_http_status())
            result.detail = _detail(Query="QuerySendDetails", Code=exc.get_error_code(),
                                    Message=exc.get_error_msg(), HttpStatus=exc.get_http_status())
            return result
        except ClientException as exc:
            return SendResult(ok=False, code=exc.get_error_code() or "SDK.ClientError", retryable=True,
                              detail=_detail(Query="QuerySendDetails", Code=exc.get_error_code(),
                                             Message=exc.get_error_msg()))
        except Exception as exc:  # a broken answer or an SDK surprise: we still do not know
            return SendResult(ok=False, code="SDK.Error", retryable=True,
                              detail=_detail(Query="QuerySendDetails", Message=repr(exc)))
        if code != "OK":
            result = classify(code) if code else SendResult(ok=False, code="SDK.InvalidResponse", retryable=True)
            result.detail = _detail(Query="QuerySendDetails", Code=code, Message=answer.get("Message"))
            return result
        return answer

    async def find_sent(self, phone: str, *, out_id: str, since: dt.datetime,
                        until: dt.datetime) -> SendResult | None:
        """Whether Aliyun holds our message `out_id` to `phone`, sent between `since` and `until`
        (naive UTC): an ok result when it does (whatever its delivery status: it was sent, and must not
        be sent again), None when it does not, a failed retryable result when Aliyun could not say."""
        for send_date in china_dates(since, until):
            for page in range(1, QUERY_MAX_PAGES + 1):
                answer = await self._query_page(phone, send_date, page)
                if isinstance(answer, SendResult):
                    log.warning("aliyun sms to %s: QuerySendDetails failed with %s", mask_phone(phone), answer.code)
                    return answer
                dtos = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
                for dto in dtos:
                    if str(dto.get("OutId") or "") == out_id:
                        return SendResult(ok=True, code="OK", detail=_detail(
                            Found="QuerySendDetails", OutId=out_id, SendStatus=dto.get("SendStatus"),
                            ErrCode=dto.get("ErrCode"), SendDate=dto.get("SendDate"),
                            RequestId=answer.get("RequestId")))
                try:
                    total = int(answer.get("TotalCount") or 0)
                except (TypeError, ValueError):
                    total = 0
                if page * QUERY_PAGE_SIZE >= total or not dtos:
                    break
        return None

    async def send(self, phone: str, template: str, params: dict, out_id: str | None = None) -> SendResult:
        """Send one templated message; never raises for provider or network trouble."""
        template_code = self.templates.get(template)
        if not template_code:
            log.error("aliyun sms: no template code configured for %r", template)
            return SendResult(ok=False, code="TEMPLATE_NOT_CONFIGURED",
                              detail=_detail(Message=f"ALIYUN_SMS_TEMPLATE_{template.upper()} is not set"))
        request = self._request(phone, template_code, params, out_id)
        loop = asyncio.get_running_loop()
        try:
            body = await loop.run_in_executor(self.executor, self.client.do_action_with_exception, request)
        except ServerException as exc:
            result = classify(exc.get_error_code(), exc.get_http_status())
            result.detail = _detail(Code=exc.get_error_code(), Message=exc.get_error_msg(),
                                    RequestId=exc.get_request_id(), HttpStatus=exc.get_http_status())
            # a gateway's 5xx says nothing about whether SendSms ran behind it
            result.uncertain = (exc.get_http_status() or 0) >= 500
        except ClientException as exc:  # network errors and timeouts end up here: sent or not, we cannot tell
            result = SendResult(ok=False, code=exc.get_error_code() or "SDK.ClientError", retryable=True,
                                uncertain=True,
                                detail=_detail(Code=exc.get_error_code(), Message=exc.get_error_msg()))
        except Exception as exc:  # anything else from the SDK or requests: transient until proven otherwise
            log.warning("aliyun sms: unexpected SDK error", exc_info=True)
            result = SendResult(ok=False, code="SDK.Error", retryable=True, uncertain=True,
                                detail=_detail(Code="SDK.Error", Message=repr(exc)))
        else:
            try:
                answer = json.loads(body)
                code = str(answer.get("Code") or "")
            except (ValueError, TypeError, AttributeError):
                answer, code = {}, "SDK.InvalidResponse"
            result = classify(code)
            result.detail = _detail(Code=code, Message=answer.get("Message"), BizId=answer.get("BizId"),
                                    RequestId=answer.get("RequestId"))
        if result.ok:
            log.info("aliyun sms to %s: %s sent", mask_phone(phone), template)
        else:
            log.warning("aliyun sms to %s: %s failed with %s%s", mask_phone(phone), template, result.code,
                        " (rate limited)" if result.rate_limited else " (will retry)" if result.retryable else "")
        return result

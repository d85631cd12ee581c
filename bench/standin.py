"""An in-memory DynamoDB + SQS that answers the sweep's calls at the HTTP layer of botocore.

Why not moto for 10,000 and 100,000 items: moto's GSI Query walks the whole table for every page
and its UpdateItem parses the expression anew (about 10 ms a call), so one sweep over 100,000
items takes hours there, and the figure would be moto's, not the sweep's. The stand-in answers
exactly the three calls a sweep makes (Query of one due-index shard, the conditional
UpdateItem claim, SendMessageBatch) in microseconds, with DynamoDB's semantics for them: pages
in sort-key order with ``Limit`` and ``LastEvaluatedKey``, a claim succeeds once per item (a
second is ``ConditionalCheckFailedException``). Everything on the client side runs for real:
parameter validation, serialisation, signing, the event hooks (the tenancy guard), response
parsing. ``latency`` adds a fixed round trip per call (a sleep, which releases the GIL like a
socket wait does) to model the network and the service time.

It hooks ``before-send`` of the clients it is installed on (as moto does), so nothing is sent
anywhere, and the app and its floor pay the same server side.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse

_JSON = "application/x-amz-json-1.0"
_CONDITION_FAILED = {
    "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
    "message": "The conditional request failed",
}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class _Raw:
    """The body stream botocore reads a response from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def _response(url: str, status: int, payload: dict[str, Any], content_type: str) -> AWSResponse:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": content_type, "x-amzn-RequestId": str(uuid.uuid4())}
    response = AWSResponse(url, status, headers, _Raw(body))
    response._content = body  # botocore reads ``content`` for JSON protocols
    return response


@dataclass
class DueIndex:
    """The due index of one table: per shard, entries sorted by (due_sk, pk)."""

    shards: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, shard: str, due_sk: str, pk: str, tenant_id: str, followup_id: str) -> None:
        """Index one scheduled follow-up (call :meth:`sort` when done adding)."""
        self.shards.setdefault(shard, []).append((due_sk, pk, tenant_id, followup_id))

    def sort(self) -> None:
        """Order every shard as DynamoDB does: by sort key, then by the table's key."""
        for entries in self.shards.values():
            entries.sort()


class StandIn:
    """Answers Query / UpdateItem / SendMessageBatch from a :class:`DueIndex`; counts calls."""

    def __init__(self, index: DueIndex, latency: float = 0.0) -> None:
        self.index = index
        self.latency = latency
        self.calls: dict[str, int] = {}
        self._count_lock = threading.Lock()

    def install(self, client: Any) -> None:
        """Answer every request of ``client`` from here instead of the network."""
        client.meta.events.register_first("before-send", self)

    def uninstall(self, client: Any) -> None:
        """Give ``client`` back its real transport."""
        client.meta.events.unregister("before-send", self)

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        operation = target.rsplit(".", 1)[-1]
        with self._count_lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1
        if self.latency:
            time.sleep(self.latency)
        params = json.loads(request.body or b"{}")
        if operation == "Query":
            return self._query(request.url, params)
        if operation == "UpdateItem":
            return self._claim(request.url, params)
        if operation == "SendMessageBatch":
            return self._send(request.url, params)
        raise AssertionError(f"the stand-in does not answer {operation}")

    def _query(self, url: str, params: dict[str, Any]) -> AWSResponse:
        values = params["ExpressionAttributeValues"]
        entries = self.index.shards.get(values[":shard"]["S"], [])
        until = values[":until"]["S"]
        start = params.get("ExclusiveStartKey")
        position = 0
        if start:
            # Past every entry with that key (the tuples continue with tenant and id).
            after = (start["due_sk"]["S"], start["pk"]["S"], "\U0010ffff")
            position = bisect.bisect_right(entries, after)
        page: list[tuple[str, str, str, str]] = []
        for entry in entries[position:]:
            if entry[0] > until or len(page) == params["Limit"]:
                break
            page.append(entry)
        more = len(page) == params["Limit"] and position + len(page) < len(entries)
        more = more and entries[position + len(page)][0] <= until
        payload: dict[str, Any] = {
            "Items": [
                {"tenant_id": {"S": t}, "followup_id": {"S": f}, "due_sk": {"S": d}}
                for d, _, t, f in page
            ],
            "Count": len(page),
            "ScannedCount": len(page),
        }
        if more:
            due_sk, pk, *_ = page[-1]
            payload["LastEvaluatedKey"] = {
                "due_pk": values[":shard"],
                "due_sk": {"S": due_sk},
                "pk": {"S": pk},
                "sk": {"S": "FOLLOWUP"},
            }
        return _response(url, 200, payload, _JSON)

    def _claim(self, url: str, params: dict[str, Any]) -> AWSResponse:
        pk = params["Key"]["pk"]["S"]
        with self.index.lock:
            if pk in self.index.claimed:
                return _response(url, 400, _CONDITION_FAILED, _JSON)
            self.index.claimed.add(pk)
        return _response(url, 200, {}, _JSON)

    def _send(self, url: str, params: dict[str, Any]) -> AWSResponse:
        successful = [
            {
                "Id": entry["Id"],
                "MessageId": str(uuid.uuid4()),
                "MD5OfMessageBody": _md5(entry["MessageBody"]),
            }
            for entry in params["Entries"]
        ]
        payload = {"Successful": successful, "Failed": []}
        return _response(url, 200, payload, _JSON)

"""A local JSON HTTP API over one index, for apps written in other languages.

`create_app(index_dir)` builds the app (FastAPI: typed parameters, OpenAPI description at
/openapi.json); `serve()` runs it with uvicorn. Every endpoint reads; none touches the file
system with what a client sends: document ids are looked up in the index, never opened as paths.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import ipaddress
import itertools
import json
import logging
import socket
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from html import escape
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParameter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from typing_extensions import TypedDict  # pydantic reads TypedDicts from typing_extensions before 3.12

from .config import Settings
from .errors import (
    AmbiguousDocumentError,
    BadInputError,
    DocumentNotFoundError,
    IndexDamagedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    QueryError,
    SearchError,
)
from .models import (
    MAX_ID_CHARS,
    MAX_NODES,
    MAX_SERIES,
    ActorType,
    Facet,
    IndexStats,
    Period,
    Ranking,
    Sort,
    SplitBy,
)
from .searching import SearchIndex, batch_queries, open_index
from .wire import (
    ActorsJSON,
    AlertsJSON,
    AssociationsJSON,
    BatchAnswerJSON,
    DocumentJSON,
    ErrorJSON,
    HealthJSON,
    ResultsJSON,
    SourcesJSON,
    TimelineJSON,
    actor_counts_json,
    alerts_json,
    associations_json,
    batch_json,
    document_json,
    export_lines,
    network_csv,
    network_graphml,
    network_json,
    results_json,
    source_counts_json,
    timeline_json,
)

log = logging.getLogger(__name__)

MAX_PAGE = 100  # results a request may ask for
MAX_OFFSET = 10_000
MAX_QUERY_CHARS = 1_000
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class RequestTooLongError(SearchError):
    """A request ran past the server's time bound."""


# An error's status is its nearest class's here (a NotAnIndexError is an IndexDamagedError); else 400.
STATUS_OF_ERROR: dict[type[SearchError], int] = {
    RequestTooLongError: 503,
    QueryError: 400,
    BadInputError: 400,
    DocumentNotFoundError: 404,
    IndexNotFoundError: 503,
    IndexDamagedError: 503,
    IndexNeedsRebuildError: 503,
}
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
T = TypeVar("T")
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorJSON, "description": "A bad query or parameter"},
    422: {"model": ErrorJSON, "description": "A parameter out of its bounds or of the wrong form"},
    421: {"model": ErrorJSON, "description": "The request named a host this server does not answer to"},
    503: {
        "model": ErrorJSON,
        "description": "The index is missing, damaged or needs a rebuild, or the request took too long",
    },
}


def known_parameters_only(request: Request) -> None:
    """Refuse query parameters the endpoint does not take (a typo must not pass), read from its signature."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute) and not route.include_in_schema:
        return  # a web page reads the parameters it knows and leaves others (a link's tracking tag)
    known = [param.alias for param in route.dependant.query_params] if isinstance(route, APIRoute) else []
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        raise BadInputError(f"unknown parameter {unknown[0]!r}: use {', '.join(known) or 'none'}")


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="How many results to return.")]
Since = Annotated[
    str | None, Query(pattern=DATE_PATTERN, description="From this date: 2012, 2012-03, 2012-03-23.")
]
Until = Annotated[str | None, Query(pattern=DATE_PATTERN, description="Up to this date, inclusive.")]
Actors = Annotated[list[str], Query(max_length=20, description="Only documents naming it (each of them).")]
Sources = Annotated[list[str], Query(max_length=20, description="Only documents from it (any of them).")]
MAX_BATCH_QUERIES = 1_000  # a request to /batch holds at most this many lines


class BatchRequestJSON(TypedDict):
    """The body of POST /batch: the lines of a batch file."""

    queries: Annotated[list[str], Field(min_length=1, max_length=MAX_BATCH_QUERIES)]


Types = Annotated[
    list[str], Query(max_length=20, description="Only documents of this type: statement, article...")
]
QueryText = Annotated[str | None, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="A query.")]
AllCopies = Annotated[
    bool, Query(description="Every copy of a story as a hit (default: folded into the earliest dated).")
]
MinCount = Annotated[int, Query(ge=1, description="Leave out what is in fewer documents than this.")]
NetworkFormat = Literal["json", "graphml", "csv"]
DocumentId = Annotated[str, Query(min_length=1, max_length=MAX_ID_CHARS, description="A document id.")]
IndexNumber = Annotated[
    int | None,
    Query(alias="index", ge=1, description="Of several indexes, the one holding it, from 1, as a hit says."),
]


def host_names_for(bound_host: str, also: Collection[str] = ()) -> frozenset[str] | None:
    """The host names a server listening on bound_host answers to; None: any name.

    A loopback server answers only to loopback names: a web page the user visits can point its own
    host name at 127.0.0.1 (DNS rebinding) and read the API from the browser, but it cannot make the
    browser send "Host: 127.0.0.1". A server listening on every address is reachable by the whole
    network anyway, so it answers to any name unless names are given.
    """
    names = {name.lower().rstrip(".") for name in also}
    try:
        address = ipaddress.ip_address(bound_host)
    except ValueError:  # a host name such as "localhost"
        address = None
    if address is not None and address.is_unspecified:
        return frozenset(names) if names else None
    names.add(bound_host.lower().rstrip("."))
    if bound_host.lower() == "localhost" or (address is not None and address.is_loopback):
        names |= LOOPBACK_NAMES
    return frozenset(names)


def loopback_only(bound_host: str) -> bool:
    """True when a server listening on bound_host is reachable from this machine only."""
    if bound_host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(bound_host).is_loopback
    except ValueError:  # a host name: whatever it names may be reachable from elsewhere
        return False


def _host_name(header: str) -> str:
    """The name in a Host header, without its port: 'localhost:8000' -> 'localhost', '[::1]:80' -> '::1'."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0].rstrip(".") if header.count(":") == 1 else header.rstrip(".")


async def _send_json(send: Send, status: int, body: dict[str, str]) -> None:
    content = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


class KnownHostsOnly:
    """Answer 421 to a request whose Host header names a host outside `names` (see host_names_for)."""

    def __init__(self, app: ASGIApp, names: frozenset[str]) -> None:
        self.app = app
        self.names = names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"host")
            name = _host_name(given.decode("latin-1")) if given is not None else None
            if name is not None and name not in self.names:
                message = f"this server does not answer to the host {name[:100]!r}"
                await _send_json(send, 421, {"error": message})
                return
        await self.app(scope, receive, send)


class FailuresAnswered:
    """Answer an unexpected failure with a 500 {"error"} and keep the connection open.

    Starlette's last-resort handler sends its answer and then raises again, which makes uvicorn
    close a keep-alive connection: one bad request cost a client its other requests in flight.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            if started or scope["type"] != "http":
                raise
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            await _send_json(send, 500, {"error": "internal error; see the server's log"})


# Every answer forbids what a page of ours never does: script, style or images from elsewhere, inline
# script (a document holding <script> must stay text even if escaping failed), plugins, framing, forms
# posting elsewhere. The API's own page (/docs) adds the hash of its one inline style.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # a document's link never tells its site what was searched
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Add the Content-Security-Policy (unless the answer sets its own) and the headers that keep a
    browser from sniffing types, sending referrers, or framing the page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def adding(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, adding)


def _without_paths(message: str, folders: Collection[str]) -> str:
    """A message with the server's own folders replaced by what they are: clients learn no paths."""
    for folder in sorted(folders, key=len, reverse=True):
        message = message.replace(folder, "the index folder")
    return message


ExportFormat = Literal["csv", "jsonl"]


def create_app(
    index_dir: Path | str | Sequence[Path | str],
    request_timeout: float = Settings.request_timeout,
    host_names: frozenset[str] | None = None,
    ranking: Ranking | None = None,
    ui: bool = True,
) -> FastAPI:
    """The HTTP API over the index in index_dir (or several folders' indexes searched as one: see
    open_index), opened once and shared by every request, and with ui the web page on it (search/web/)
    at /.

    Each request that reads the index runs on a worker thread and is answered within
    request_timeout seconds: past it, a 503 says so (the thread finishes its work unseen), so one
    slow request never holds a client, or the server's event loop, for long. With host_names, a
    request naming another host is refused (see host_names_for); without, any name is answered.
    ranking: how results rank (None: the defaults).
    """
    index: SearchIndex = open_index(index_dir, ranking)
    # A relative name as given ("index") tells a client nothing and is also a word of messages.
    given = [index_dir] if isinstance(index_dir, (str, Path)) else list(index_dir)
    folders = {str(Path(folder).resolve()) for folder in given}
    folders |= {str(Path(folder).absolute()) for folder in given}
    folders |= {str(folder) for folder in given if "/" in str(folder)}

    async def bounded(work: Callable[[], T]) -> T:
        try:
            return await asyncio.wait_for(asyncio.to_thread(work), timeout=request_timeout)
        except asyncio.TimeoutError:
            raise RequestTooLongError(
                f"the request took longer than {request_timeout:g} s: narrow the query"
            ) from None

    app = FastAPI(
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN: nothing shows offline (see /docs below)
        redoc_url=None,
        title="news-search",
        summary="Search a news index: ranked hits with snippets, documents, similar ones, actors, stats.",
        responses=ERRORS,
        dependencies=[Depends(known_parameters_only)],
    )
    app.state.index = index
    app.add_middleware(FailuresAnswered)
    app.add_middleware(SecurityHeaders)
    if host_names is not None:
        app.add_middleware(KnownHostsOnly, names=host_names)  # added last: runs first

    def answer(error: SearchError) -> tuple[int, str]:
        """An error's HTTP status and its message without the server's paths."""
        status = next((STATUS_OF_ERROR[kind] for kind in type(error).__mro__ if kind in STATUS_OF_ERROR), 400)
        hint = " with index=N (from 1)" if isinstance(error, AmbiguousDocumentError) else ""
        return status, _without_paths(str(error), folders) + hint

    @app.exception_handler(SearchError)
    def search_error(request: Request, error: SearchError) -> JSONResponse:
        status, message = answer(error)
        return JSONResponse({"error": message}, status_code=status)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, error: HTTPException) -> JSONResponse:
        """Starlette's own answers (no such path, a method not allowed) in the shape of every other error."""
        return JSONResponse(
            {"error": str(error.detail).lower()}, status_code=error.status_code, headers=error.headers
        )

    @app.exception_handler(RequestValidationError)
    def invalid_parameter(request: Request, error: RequestValidationError) -> JSONResponse:
        """FastAPI's own answer is {"detail": [...]}: ours is one line, in the shape of every other error."""
        problems = [
            f"{'.'.join(str(part) for part in e['loc'][1:]) or 'request'}: {e['msg']}" for e in error.errors()
        ]
        return JSONResponse({"error": "; ".join(problems)}, status_code=422)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The API described from its own OpenAPI document, as a page that needs no network."""
        style = f"'sha256-{base64.b64encode(hashlib.sha256(API_PAGE_STYLE.encode()).digest()).decode()}'"
        policy = CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' {style}")
        return HTMLResponse(api_page(app.openapi()), headers={"Content-Security-Policy": policy})

    if ui:
        from .web import add_pages  # (Jinja2 and the templates: only a server with pages needs them)

        add_pages(app, index, bounded, answer)
    app.state.pages = ui

    @app.get("/health")
    def health() -> HealthJSON:
        """The server is up and its index opens."""
        return {"status": "ok", "documents": len(index)}

    @app.get("/search")
    async def search(
        q: QueryText = None,
        actor: Actors = [],  # noqa: B006
        source: Sources = [],  # noqa: B006
        since: Since = None,
        until: Until = None,
        type: Types = [],  # noqa: B006
        sort: Sort = "relevance",
        limit: Limit = 10,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
        facets: Annotated[
            list[Facet], Query(description="Count matches per actor, outlet and/or year.")
        ] = [],  # noqa: B006
        main: Annotated[bool, Query(description="The actor facet counts main actors only.")] = False,
        feedback: Annotated[
            bool | None,
            Query(description="Pseudo-relevance feedback on or off (default: the server's ranking)."),
        ] = None,
        all_copies: AllCopies = False,
    ) -> ResultsJSON:
        """Ranked hits with snippets, in the CLI's query language; without q, every document."""
        results = await bounded(
            lambda: index.search(
                q,
                limit=limit,
                offset=offset,
                actors=actor,
                sources=source,
                since=since,
                until=until,
                types=type,
                sort=sort,
                facets=facets,
                main_actors=main,
                feedback=feedback,
                all_copies=all_copies,
            )
        )
        return results_json(results)

    @app.get(
        "/export",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
    )
    async def export(
        q: QueryText = None,
        actor: Actors = [],  # noqa: B006
        source: Sources = [],  # noqa: B006
        since: Since = None,
        until: Until = None,
        type: Types = [],  # noqa: B006
        sort: Sort = "relevance",
        format: Annotated[ExportFormat, Query(description="csv (a header, a row a hit) or jsonl.")] = "csv",
        feedback: Annotated[bool | None, Query(description="Pseudo-relevance feedback on or off.")] = None,
        all_copies: AllCopies = False,
    ) -> StreamingResponse:
        """Every hit of a search, as `search query --all --format csv|jsonl` writes them, streamed a page
        at a time; without q, every document the filters keep. The first page is read before the answer
        starts, so a query that cannot be read is still a 400."""
        pages = index.pages(
            q, actors=actor, sources=source, since=since, until=until, types=type, sort=sort,
            feedback=feedback, all_copies=all_copies,
        )  # fmt: skip
        first = await bounded(lambda: next(pages))
        media, suffix = ("text/csv", "csv") if format == "csv" else ("application/x-ndjson", "jsonl")
        return StreamingResponse(
            (
                "".join(export_lines(page.hits, format, header=number == 0))
                for number, page in enumerate(itertools.chain([first], pages))
            ),
            media_type=f"{media}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="search.{suffix}"'},
        )

    @app.get("/timeline")
    async def timeline(
        q: QueryText = None,
        actor: Actors = [],  # noqa: B006
        source: Sources = [],  # noqa: B006
        since: Since = None,
        until: Until = None,
        type: Types = [],  # noqa: B006
        by: Annotated[Period, Query(description="Count per day, week, month or year.")] = "month",
        split_by: Annotated[
            SplitBy | None, Query(description="Also count the most frequent actors' or outlets' matches.")
        ] = None,
        top: Annotated[int, Query(ge=1, le=MAX_SERIES, description="How many actors or outlets.")] = 5,
    ) -> TimelineJSON:
        """Matching documents per period, as `search timeline --json` prints them; without q, every
        document the filters keep."""
        counted = await bounded(
            lambda: index.timeline(
                q,
                actors=actor,
                sources=source,
                since=since,
                until=until,
                types=type,
                by=by,
                split_by=split_by,
                top=top,
            )
        )
        return timeline_json(counted)

    @app.post("/batch")
    async def batch(
        body: BatchRequestJSON,
        actor: Actors = [],  # noqa: B006
        source: Sources = [],  # noqa: B006
        since: Since = None,
        until: Until = None,
        type: Types = [],  # noqa: B006
        limit: Limit = 10,
    ) -> BatchAnswerJSON:
        """Many searches at once, as `search batch` runs a file: each line of "queries" a query
        ("name<TAB>query" names it; blank lines and # comments skipped), each with its total and best
        hits; a query that cannot be read says why on its own entry, and the others still run."""
        queries = batch_queries(body["queries"])
        if not queries:
            raise BadInputError("no query to run: blank lines and # comments are skipped")
        results = await bounded(
            lambda: list(
                index.batch(
                    queries,
                    limit=limit,
                    actors=actor,
                    sources=source,
                    since=since,
                    until=until,
                    types=type,
                )
            )
        )
        return {
            "matched": sum(bool(result.results and result.results.total) for result in results),
            "queries": [batch_json(result) for result in results],
        }

    @app.get("/document", responses={404: {"model": ErrorJSON}})
    async def document(id: DocumentId, index_number: IndexNumber = None) -> DocumentJSON:
        """One document's metadata and clean text, and the documents that are copies of its story."""
        return document_json(
            *await bounded(
                lambda: (index.document(id, index=index_number), index.copies(id, index=index_number))
            )
        )

    @app.get("/similar", responses={404: {"model": ErrorJSON}})
    async def similar(id: DocumentId, limit: Limit = 10, index_number: IndexNumber = None) -> ResultsJSON:
        """The documents most like one."""
        return results_json(await bounded(lambda: index.similar(id, limit=limit, index=index_number)))

    @app.get("/actors")
    async def actors(
        q: QueryText = None,
        type: ActorType | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        since: Since = None,
        until: Until = None,
        main: Annotated[bool, Query(description="Count documents where the actor is a main actor.")] = False,
    ) -> ActorsJSON:
        """Actors with the number of documents naming them, over all documents or a query's hits."""
        counts = await bounded(
            lambda: index.actors(q, type=type, limit=limit, since=since, until=until, main=main)
        )
        return actor_counts_json(counts)

    @app.get("/sources")
    async def sources(
        q: QueryText = None,
        actor: Actors = [],  # noqa: B006
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        since: Since = None,
        until: Until = None,
    ) -> SourcesJSON:
        """Outlets with the number of documents from each, over all documents or a query's hits."""
        counts = await bounded(lambda: index.sources(q, limit=limit, actors=actor, since=since, until=until))
        return source_counts_json(counts)

    @app.get("/actors/with")
    async def actors_with(
        actor: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="Named with it.")],
        q: QueryText = None,
        source: Sources = [],  # noqa: B006
        since: Since = None,
        until: Until = None,
        type: ActorType | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        min_count: MinCount = 2,
    ) -> AssociationsJSON:
        """The actors named in the same documents as one (among a query's hits, if q), each with its
        count in them, outside them, and its JLH score, best first."""
        found = await bounded(
            lambda: index.actors_with(
                actor,
                q,
                sources=source,
                since=since,
                until=until,
                type=type,
                limit=limit,
                min_count=min_count,
            )
        )
        return associations_json(found)

    @app.get("/terms")
    async def terms(
        q: QueryText = None,
        actor: Actors = [],  # noqa: B006
        source: Sources = [],  # noqa: B006
        since: Since = None,
        until: Until = None,
        type: Types = [],  # noqa: B006
        limit: Annotated[int, Query(ge=1, le=1000)] = 20,
        min_count: MinCount = 3,
        of: Annotated[
            Literal["words", "actors"], Query(description="Words and phrases, or actors.")
        ] = "words",
    ) -> AssociationsJSON:
        """What is unusual in a search's hits: the words and two-word phrases (or actors) over-represented
        in them against the whole index, by JLH score."""
        found = await bounded(
            lambda: index.terms(
                q, actors=actor, sources=source, since=since, until=until, types=type, limit=limit,
                min_count=min_count, of=of,
            )
        )  # fmt: skip
        return associations_json(found)

    @app.get(
        "/network",
        response_model=None,
        responses={200: {"content": {"application/json": {}, "application/graphml+xml": {}, "text/csv": {}}}},
    )
    async def network(
        q: QueryText = None,
        actor: Actors = [],  # noqa: B006
        source: Sources = [],  # noqa: B006
        since: Since = None,
        until: Until = None,
        type: Types = [],  # noqa: B006
        nodes: Annotated[int, Query(ge=2, le=MAX_NODES, description="The actors most often named.")] = 100,
        min_count: MinCount = 2,
        format: Annotated[NetworkFormat, Query(description="json (node-link), graphml or csv.")] = "json",
    ) -> Response:
        """Who appears with whom in a search's hits (or every document): the most frequent actors and
        the pairs of them named together in at least min_count documents."""
        found = await bounded(
            lambda: index.network(
                q, actors=actor, sources=source, since=since, until=until, types=type, nodes=nodes,
                min_count=min_count,
            )
        )  # fmt: skip
        if format == "graphml":
            return Response(network_graphml(found), media_type="application/graphml+xml; charset=utf-8")
        if format == "csv":
            return Response(network_csv(found), media_type="text/csv; charset=utf-8")
        return JSONResponse(network_json(found))

    @app.get("/alerts")
    async def alerts() -> AlertsJSON:
        """The saved searches (`search alert`), each with how many documents match it and how many are
        new since it was last marked seen."""
        from . import alerts as saved_searches

        return alerts_json(await bounded(lambda: saved_searches.alerts(index)))

    @app.get("/alerts/{name}", responses={404: {"model": ErrorJSON}})
    async def alert_hits(
        name: Annotated[str, PathParameter(max_length=64, description="The alert's name.")],
        new: Annotated[bool, Query(description="Only its new documents.")] = False,
        limit: Limit = 10,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> ResultsJSON:
        """A saved search's hits, ranked as /search ranks them; with new=true, only its new documents."""
        from . import alerts as saved_searches

        results = await bounded(
            lambda: saved_searches.alert_results(index, name, new=new, limit=limit, offset=offset)
        )
        return results_json(results)

    @app.get("/stats")
    async def stats() -> IndexStats:
        """What the index holds and how it was made; folders by their names alone (paths stay here)."""
        figures = await bounded(index.stats)
        return replace(
            figures,
            corpus_root=PurePath(figures.corpus_root).name if figures.corpus_root else None,
            actors_files=tuple(PurePath(path).name for path in figures.actors_files),
        )

    return app


API_PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}"
)


def api_page(openapi: dict[str, Any]) -> str:
    """An HTML page listing each endpoint with its parameters and answers, from an OpenAPI document."""
    sections = []
    for path, methods in sorted(openapi.get("paths", {}).items()):
        for method, operation in methods.items():
            rows = "".join(
                f"<tr><td><code>{escape(p['name'])}</code></td>"
                f"<td>{escape(_type_of(p.get('schema', {})))}</td>"
                f"<td>{'yes' if p.get('required') else ''}</td>"
                f"<td>{escape(p.get('description', ''))}</td></tr>"
                for p in operation.get("parameters", [])
            )
            answers = ", ".join(
                f"{code} {escape(answer.get('description', ''))}"
                for code, answer in operation.get("responses", {}).items()
            )
            table = (
                f"<table><tr><th>parameter</th><th>type</th><th>required</th><th>meaning</th></tr>{rows}</table>"
                if rows
                else "<p>No parameters.</p>"
            )
            sections.append(
                f"<h2><code>{method.upper()} {escape(path)}</code></h2>"
                f"<p>{escape(operation.get('description') or operation.get('summary', ''))}</p>{table}"
                f"<p>Answers: {answers}.</p>"
            )
    info = openapi.get("info", {})
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(info.get('title', 'API'))}: HTTP API</title>"
        f"<style>{API_PAGE_STYLE}</style></head><body>"
        f"<h1>{escape(info.get('title', 'API'))}</h1><p>{escape(info.get('summary', ''))}</p>"
        '<p>Every answer is JSON; errors are <code>{"error": "..."}</code>. '
        "The machine-readable description is <a href='/openapi.json'>/openapi.json</a>.</p>"
        + "".join(sections)
        + "</body></html>"
    )


def _type_of(schema: dict[str, Any]) -> str:
    """A parameter's type as a reader wants it: 'integer', 'string', 'one of relevance, date, -date'."""
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type_of(option) for option in schema["anyOf"] if option.get("type") != "null")
    if schema.get("type") == "array":
        return "list of " + _type_of(schema.get("items", {}))
    return str(schema.get("type", ""))


def warm_up(app: FastAPI) -> None:
    """Read ahead what the web page's first search needs (see web.warm), on a thread of its own, so that
    the server answers meanwhile; nothing to do for an app without the page."""
    if getattr(app.state, "pages", False):
        from .web import warm

        threading.Thread(target=warm, args=(app.state.index,), name="warm-up", daemon=True).start()


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host and port (0: any free port), so the address is known before serving."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        raise BadInputError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    sock.listen(128)
    return sock


def address_of(sock: socket.socket) -> str:
    """The URL a bound socket serves at."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(app: FastAPI, sock: socket.socket) -> None:
    """Serve the app on a bound socket until interrupted (Ctrl-C or SIGTERM)."""
    import uvicorn  # imported here: only this command needs it

    config = uvicorn.Config(app, log_level="warning", access_log=False)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn shuts down gracefully, then passes Ctrl-C on
        uvicorn.Server(config).run(sockets=[sock])

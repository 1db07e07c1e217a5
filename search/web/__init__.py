"""The local web page: a search page, a document page, similar documents and saved searches, served by
`search serve` beside the JSON API, from the same records the API answers with.

Pages are HTML made on the server from Jinja2 templates (autoescaped: a corpus is untrusted input, and
every piece of document text reaches the page as text); a little of our own JavaScript
(`static/app.js`) adds what a page without it lacks: `/` to focus the search box, actor names completed
from the index, similar documents on the document page without a click. Searching and reading work
without it, and the URL holds a search's whole state. No page reads anything from another machine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import jinja2
from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ..errors import SearchError
from ..models import MAX_ID_CHARS, Fragment, Results, Timeline
from ..searching import SearchIndex
from .views import (
    MAX_FIELD_CHARS,
    MAX_MONTH_BARS,
    MAX_PAGE,
    PAGE_SIZE,
    SORTS,
    PageState,
    actors_by_weight,
    day,
    exact,
    facet_groups,
    index_number,
    page_numbers,
    paragraphs,
    pieces,
    read_url,
    safe_link,
    timeline_chart,
)

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
FACETS = ("actor", "source", "year")
SIMILAR_SHOWN = 10
T = TypeVar("T")
Bounded = Callable[[Callable[[], T]], Awaitable[T]]
ErrorAnswer = Callable[[SearchError], tuple[int, str]]  # an error's HTTP status and message


IndexGiven = Annotated[str, Query(alias="index")]  # of several indexes, which holds a document (from 1)


def _templates(several: bool) -> Jinja2Templates:
    """The page templates; with several indexes, links to a document say which index holds it."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,  # a name a template misspells is an error in the tests
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def document_url(document_id: str, query: str = "", index: int | None = None) -> str:
        return read_url(document_id, query, index if several else None)

    environment.globals.update(
        day=day, exact=exact, pieces=pieces, read_url=document_url, several=several, sorts=SORTS
    )
    return Jinja2Templates(env=environment)


def add_pages(app: FastAPI, index: SearchIndex, bounded: Bounded[Any], answer: ErrorAnswer) -> None:
    """Serve the pages at /, /read, /read/similar and /saved, and their files under /static/."""
    several = len(index.index_dirs) > 1
    templates = _templates(several)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("state", PageState())
        context.setdefault("documents", len(index))
        return templates.TemplateResponse(request, name, context, status_code=status)

    def failed(request: Request, error: SearchError, state: PageState | None = None) -> HTMLResponse:
        status, message = answer(error)
        return page(request, "error.html", status, message=message, state=state or PageState())

    @app.get("/", include_in_schema=False)
    async def search_page(request: Request) -> HTMLResponse:
        """The search page: a query and filters in, ranked hits, facets and a timeline out."""
        state = PageState.of({name: request.query_params.getlist(name) for name in request.query_params})
        started = time.perf_counter()
        try:
            results, timeline = await bounded(lambda: _search(index, state))
        except SearchError as error:
            return failed(request, error, state)
        names = {exact(count.value): count.name for count in results.facets.get("actor", ()) if count.name}
        pages = max(1, -(-(results.distinct if results.distinct is not None else results.total) // PAGE_SIZE))
        return page(
            request,
            "search.html",
            state=state,
            results=results,
            took=time.perf_counter() - started,
            facets=facet_groups(results, state),
            chart=timeline_chart(timeline, state) if timeline is not None and timeline.periods else None,
            actor_names=names,
            pages=page_numbers(state.page, min(pages, MAX_PAGE)) if results.hits else [],
            last_page=min(pages, MAX_PAGE),
        )

    @app.get("/read", include_in_schema=False)
    async def document_page(
        request: Request, id: str = "", q: str = "", which: IndexGiven = ""
    ) -> HTMLResponse:
        """One document: its metadata, actors by weight, its text with the query's words marked, copies."""
        state = PageState(q=q.strip()[:MAX_FIELD_CHARS])
        id = id[: MAX_ID_CHARS + 1]  # (longer is no id of ours, and is not said back whole)
        try:
            number = index_number(which)
            document, copies = await bounded(
                lambda: (index.document(id, index=number), index.copies(id, index=number))
            )
        except SearchError as error:
            return failed(request, error, state)
        try:
            text = await bounded(lambda: index.highlight(document.body, state.q)) if state.q else None
        except SearchError:  # a query that cannot be read still lets the document be read
            text = None
        return page(
            request,
            "document.html",
            state=state,
            document=document,
            index=number,
            copies=copies,
            link=safe_link(document.url),
            actors=actors_by_weight(document.actors),
            text=paragraphs(text or Fragment(document.body)),
        )

    @app.get("/read/similar", include_in_schema=False)
    async def similar_page(request: Request, id: str = "", which: IndexGiven = "") -> HTMLResponse:
        """The documents most like one."""
        id = id[: MAX_ID_CHARS + 1]
        try:
            number = index_number(which)
            document, results = await bounded(
                lambda: (
                    index.document(id, index=number),
                    index.similar(id, limit=SIMILAR_SHOWN, index=number),
                )
            )
        except SearchError as error:
            return failed(request, error)
        heading = f"Documents like “{document.title or document.id}”"
        back = read_url(id, index=number if several else None)
        return page(request, "list.html", heading=heading, results=results, back=back)

    @app.get("/saved", include_in_schema=False)
    async def saved_page(request: Request) -> HTMLResponse:
        """The saved searches (`search alert add`), each with its matches and what is new."""
        from .. import alerts as saved_searches

        try:
            statuses = await bounded(lambda: saved_searches.alerts(index))
        except SearchError as error:
            return failed(request, error)
        searches = [
            (
                status,
                PageState(
                    q=status.alert.query or "",
                    actors=status.alert.actors,
                    sources=status.alert.sources,
                    types=status.alert.types,
                    since=status.alert.since or "",
                    until=status.alert.until or "",
                ).url(),
            )
            for status in statuses
        ]
        return page(request, "saved.html", searches=searches)

    @app.get("/saved/{name}", include_in_schema=False)
    async def saved_hits_page(request: Request, name: str, new: bool = False) -> HTMLResponse:
        """A saved search's new documents (new=true) or all its matches, best first."""
        from .. import alerts as saved_searches

        try:
            results = await bounded(
                lambda: saved_searches.alert_results(index, name, new=new, limit=100, offset=0)
            )
        except SearchError as error:
            return failed(request, error)
        heading = f"{'New documents of' if new else 'Documents matching'} the saved search “{name}”"
        return page(request, "list.html", heading=heading, results=results, back="/saved")


def warm(index: SearchIndex) -> None:
    """Make the landing page once, so that whoever opens it first does not wait for what a first search
    with facets reads (the columns, the actors coded, the actor table): 1.2 s at 41,578 articles, where a
    search page takes 60-120 ms once they are read. A failure is the page's to say when it is opened."""
    try:
        _search(index, PageState())
    except SearchError as error:
        log.info("the page was not made ahead: %s", error)


def _search(index: SearchIndex, state: PageState) -> tuple[Results, Timeline | None]:
    """A page of hits with the facets, and the matches per month (per year over a long span)."""
    filters: dict[str, Any] = {
        "actors": state.actors,
        "sources": state.sources,
        "since": state.since or None,
        "until": state.until or None,
        "types": state.types,
    }
    query = state.q or None
    results = index.search(
        query,
        limit=PAGE_SIZE,
        offset=state.offset,
        sort=state.sort,
        facets=FACETS,
        all_copies=state.all_copies,
        **filters,
    )
    if not results.total:
        return results, None
    timeline = index.timeline(query, by="month", **filters)
    if len(timeline.periods) > MAX_MONTH_BARS:
        timeline = index.timeline(query, by="year", **filters)
    return results, timeline

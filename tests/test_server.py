"""The HTTP API against a real server on 127.0.0.1, with a real HTTP client."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from search import add_document, index_corpus, open_index, server
from search.models import ACTOR_TYPES, FACETS, SORTS

from .conftest import (
    DW_REPORT,
    NO_ACTOR_CORPUS,
    OUTLETS_CORPUS,
    PROJECT_ROOT,
    STATE_DEPARTMENT_STATEMENT,
    running,
    write_corpus,
)


@pytest.fixture(scope="module")
def base_url(sample_index: Path) -> Iterator[str]:
    """The sample index served over HTTP for the module's tests."""
    with running(server.create_app(sample_index)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


def test_search_returns_ranked_hits_with_snippet_offsets(client: httpx.Client) -> None:
    response = client.get("/search", params={"q": "coup", "limit": 2})
    assert response.status_code == 200
    data = response.json()
    assert (data["total"], data["results"][0]["id"]) == (3, DW_REPORT)
    fragment = data["results"][0]["snippet"][0]
    start, end = fragment["highlights"][0]
    assert fragment["text"][start:end].lower() == "coup"


def test_search_takes_the_cli_options(client: httpx.Client) -> None:
    params: Any = {"q": "Mali", "actor": ["Economic Community of West African States"], "since": "2012",
                   "until": "2012-12", "sort": "-date", "facets": ["actor", "year"], "offset": 0}  # fmt: skip
    data = client.get("/search", params=params).json()
    assert {hit["id"] for hit in data["results"]} == {STATE_DEPARTMENT_STATEMENT, DW_REPORT}
    assert [year["value"] for year in data["facets"]["year"]] == ["2012"]


def test_search_turns_feedback_off_per_request(client: httpx.Client, sample_index: Path) -> None:
    def scores(**params: str) -> list[float]:
        return [
            hit["score"]
            for hit in client.get("/search", params={"q": "military coup", **params}).json()["results"]
        ]

    plain = [
        round(hit.score, 4) for hit in open_index(sample_index).search("military coup", feedback=False).hits
    ]
    assert scores(feedback="false") == plain != scores()
    assert client.get("/search", params={"q": "coup", "feedback": "perhaps"}).status_code == 422


def test_document_similar_actors_stats_and_health(client: httpx.Client) -> None:
    document = client.get("/document", params={"id": DW_REPORT}).json()
    assert (document["date"], "Soumaila Cisse" in [a["name"] for a in document["actors"]]) == (
        "2012-03-26",
        True,
    )
    similar = client.get("/similar", params={"id": DW_REPORT, "limit": 2}).json()
    assert DW_REPORT not in [hit["id"] for hit in similar["results"]] and similar["results"]
    people = client.get("/actors", params={"type": "person", "limit": 3}).json()["actors"]
    assert people and all(actor["type"] == "person" for actor in people)
    assert client.get("/stats").json()["documents"] == 5
    assert client.get("/health").json() == {"status": "ok", "documents": 5}


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("/search", {"q": "coup", "limt": 2}, 400, "unknown parameter 'limt'"),
        ("/search", {"q": "coup", "limit": 0}, 422, "limit"),
        ("/search", {"q": "coup", "limit": 101}, 422, "limit"),
        ("/search", {"q": "coup", "offset": -1}, 422, "offset"),
        ("/search", {"q": "x" * 1001}, 422, "q"),
        ("/search", {"q": "coup", "since": "yesterday"}, 422, "since"),
        ("/search", {"q": "coup", "since": "2012-13"}, 400, "bad date '2012-13'"),
        ("/search", {"q": "coup", "since": "2013", "until": "2012"}, 400, "after"),
        ("/search", {"q": "date:2012-99"}, 400, "cannot read the query"),
        ("/search", {"q": "titel:x"}, 400, "unknown field"),
        ("/search", {"q": "coup", "sort": "size"}, 422, "sort"),
        ("/search", {"q": "coup", "facets": "month"}, 422, "facets"),
        ("/actors", {"type": "planet"}, 422, "type"),
        ("/document", {}, 422, "id"),
        ("/document", {"id": "missing.txt"}, 404, "no document"),
        ("/stats", {"verbose": 1}, 400, "unknown parameter"),
    ],
)  # fmt: skip
def test_bad_requests_get_a_clear_4xx_and_no_stack_trace(
    client: httpx.Client, path: str, params: dict[str, Any], status: int, message: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    assert list(response.json()) == ["error"] and message in response.json()["error"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "document_id", ["../../../etc/passwd", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd", "corpus/../x"]
)
def test_document_ids_are_looked_up_in_the_index_never_opened_as_paths(
    client: httpx.Client, document_id: str
) -> None:
    for path in ("/document", "/similar"):
        response = client.get(path, params={"id": document_id})
        assert response.status_code == 404 and "root:" not in response.text
    assert client.get("/document/../../etc/passwd").status_code == 404


def test_the_api_describes_the_literal_choices_the_library_accepts() -> None:
    assert (get_args(server.Sort), get_args(server.Facet), get_args(server.ActorType)) == (
        SORTS, FACETS, ACTOR_TYPES,
    )  # fmt: skip


def test_generated_requests_never_get_a_server_error_and_match_the_openapi_description(base_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.path for operation in operations} == {
        "/health", "/search", "/export", "/timeline", "/batch", "/document", "/similar", "/actors",
        "/sources", "/stats", "/actors/with", "/terms", "/network", "/alerts", "/alerts/{name}",
    }  # fmt: skip
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=int(os.environ.get("API_EXAMPLES", "40")),
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def responds_as_described(case: Any) -> None:
            # A request the schema allows may still be refused, with a 400 that says why: a query
            # such as 'nosuchfield:x', or the date 2012-02-31. Every other check runs.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        responds_as_described()


def test_an_unexpected_failure_is_a_500_without_a_stack_trace(sample_index: Path) -> None:
    app = server.create_app(sample_index)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    app.state.index.stats = broken
    with running(app) as url:
        response = httpx.get(f"{url}/stats", timeout=30)
    assert response.status_code == 500
    assert response.json() == {"error": "internal error; see the server's log"}


README_REQUESTS = [
    line.split(" ", 1)[1]
    for line in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    if line.startswith("GET /")
]


@pytest.mark.parametrize("path", README_REQUESTS)
def test_every_request_the_readme_shows_answers_with_something(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data.get("total", 1) > 0 and data.get("actors", [1]) != []


def test_actor_counts_skip_a_document_that_names_no_actor(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", dict(NO_ACTOR_CORPUS))
    from search import index_corpus

    index_corpus(corpus, tmp_path / "index")
    with running(server.create_app(tmp_path / "index")) as url:
        counts = httpx.get(f"{url}/actors").json()["actors"]
        faceted = httpx.get(f"{url}/search", params={"q": "day OR mali", "facets": "actor"}).json()
    assert {count["id"] for count in counts} == {"mali", "ecowas", "bamako"}
    assert {count["id"] for count in faceted["facets"]["actor"]} == {"mali", "ecowas", "bamako"}


def test_the_docs_page_describes_every_endpoint_without_the_network(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for endpoint in (
        "GET /search",
        "GET /document",
        "GET /similar",
        "GET /actors",
        "GET /stats",
        "GET /health",
    ):
        assert endpoint in page.text
    assert "one of relevance, date, -date" in page.text
    assert "http" not in page.text.replace("http-equiv", "").split("<body>")[0]  # no script from elsewhere
    assert "<script" not in page.text


def test_a_request_that_runs_too_long_gets_a_503_in_time(
    sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = server.create_app(sample_index, request_timeout=0.2)
    slow = app.state.index.search

    def sleepy(*args: Any, **kwargs: Any) -> Any:
        time.sleep(3.0)  # a query far slower than the bound
        return slow(*args, **kwargs)

    monkeypatch.setattr(app.state.index, "search", sleepy)
    with running(app) as url:
        started = time.monotonic()
        response = httpx.get(f"{url}/search", params={"q": "coup"}, timeout=10)
        waited = time.monotonic() - started
        assert httpx.get(f"{url}/health").status_code == 200  # the server still answers
    assert response.status_code == 503 and "took longer than 0.2 s" in response.json()["error"]
    assert waited < 2.5  # answered at the bound, not when the work ended


def test_a_loopback_server_answers_only_to_loopback_host_names(sample_index: Path) -> None:
    app = server.create_app(sample_index, host_names=server.host_names_for("127.0.0.1"))
    with running(app) as url:
        port = url.rsplit(":", 1)[1]
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST.", f"[::1]:{port}"):
            assert httpx.get(f"{url}/health", headers={"Host": host}).status_code == 200, host
        for host in (f"attacker.example:{port}", "127.0.0.1.nip.io", "[::2]"):
            refused = httpx.get(f"{url}/search", params={"q": "coup"}, headers={"Host": host})
            assert refused.status_code == 421, host
            assert refused.json()["error"].startswith("this server does not answer to the host")


@pytest.mark.parametrize(
    ("bound", "also", "names"),
    [
        ("127.0.0.1", (), {"127.0.0.1", "localhost", "::1"}),
        ("localhost", ("News.Local",), {"127.0.0.1", "localhost", "::1", "news.local"}),
        ("192.168.1.5", (), {"192.168.1.5"}),
        ("0.0.0.0", (), None),  # reachable from the whole network: a name check adds nothing
        ("::", ("search.example",), {"search.example"}),
    ],
)
def test_the_host_names_a_server_answers_to_follow_where_it_listens(
    bound: str, also: tuple[str, ...], names: set[str] | None
) -> None:
    assert server.host_names_for(bound, also) == (frozenset(names) if names is not None else None)


def test_error_bodies_and_stats_name_no_folder_of_the_server(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Mali\n\nThe junta in Mali agreed to leave."})
    from search import index_corpus

    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir)
    with running(server.create_app(index_dir.resolve())) as url:
        stats = httpx.get(f"{url}/stats")
        for segment in index_dir.glob("*.seg"):
            segment.write_bytes(segment.read_bytes()[:100])  # damaged under the server's feet
        damaged = httpx.get(f"{url}/search", params={"q": "junta"})
        missing = httpx.get(f"{url}/nowhere")
    assert stats.status_code == 200 and stats.json()["corpus_root"] == "corpus"
    assert damaged.status_code == 503 and "damaged" in damaged.json()["error"]
    assert missing.status_code == 404 and missing.json() == {"error": "not found"}
    for response in (stats, damaged, missing):
        assert str(tmp_path) not in response.text


def test_a_failed_request_leaves_the_keep_alive_connection_open(sample_index: Path) -> None:
    app = server.create_app(sample_index)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    app.state.index.actors = broken
    with running(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        answers = [http.get(path) for path in ("/health", "/actors", "/health", "/actors", "/health")]
        connections = {id(answer.extensions["network_stream"]) for answer in answers}
    assert [a.status_code for a in answers] == [200, 500, 200, 500, 200]
    assert "secret" not in answers[1].text
    assert len(connections) == 1  # the same connection served every request


def test_search_and_sources_take_outlets(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", OUTLETS_CORPUS)
    index_corpus(corpus, tmp_path / "index")
    with (
        running(server.create_app(tmp_path / "index")) as url,
        httpx.Client(base_url=url, timeout=30) as http,
    ):
        found = http.get(
            "/search", params={"q": "impeachment", "source": ["cnn", "npr"], "facets": "source"}
        ).json()
        assert {hit["id"] for hit in found["results"]} == {"cnn.txt", "npr.txt"}
        assert [f["value"] for f in found["facets"]["source"]] == ["CNN (Web News)", "NPR Online News"]
        assert http.get("/sources", params={"actor": [], "since": "2020"}).json() == {
            "sources": [{"name": "NPR Online News", "count": 1}]
        }
        unknown = http.get("/search", params={"q": "impeachment", "source": "reutres"}).json()
        assert (unknown["total"], unknown["unknown_sources"]) == (0, [{"name": "reutres", "suggestions": []}])


def test_export_streams_every_hit_as_csv_or_json_lines(client: httpx.Client, sample_index: Path) -> None:
    every = open_index(sample_index).search("mali", limit=10)
    exported = client.get("/export", params={"q": "mali"})
    assert exported.status_code == 200 and exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.headers["content-disposition"] == 'attachment; filename="search.csv"'
    header, *rows = list(csv.reader(io.StringIO(exported.text)))
    assert header[:4] == ["rank", "id", "path", "title"] and [row[1] for row in rows] == [
        h.id for h in every.hits
    ]
    lines = client.get("/export", params={"q": "mali", "format": "jsonl"}).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [hit.id for hit in every.hits]
    assert client.get("/export", params={"q": "date:xyz"}).status_code == 400
    assert client.get("/export", params={"q": "mali", "format": "xlsx"}).status_code == 422


def test_batch_runs_many_searches_as_search_batch_does(client: httpx.Client, sample_index: Path) -> None:
    lines = ["coup", "# a comment", "", "watch\tjunta elections", "zanzibar", "date:xyz"]
    answer = client.post("/batch", params={"limit": 1, "since": "2012"}, json={"queries": lines})
    assert answer.status_code == 200
    body = answer.json()
    assert [(q["name"], q["line"], q["total"]) for q in body["queries"]] == [
        ("coup", 1, 1), ("watch", 4, 2), ("zanzibar", 5, 0), ("date:xyz", 6, None)
    ]  # fmt: skip
    assert body["matched"] == 2 and "cannot read the query" in body["queries"][3]["error"]
    expected = open_index(sample_index).search("coup", limit=1, since="2012")
    assert [hit["id"] for hit in body["queries"][0]["results"]] == [hit.id for hit in expected.hits]
    assert client.post("/batch", json={"queries": ["# only a comment"]}).status_code == 400
    assert client.post("/batch", json={"queries": []}).status_code == 422
    assert client.post("/batch", json={"queries": ["a"] * 1001}).status_code == 422
    assert client.post("/batch", content=b"\xff\xfe").status_code == 422
    assert client.get("/batch").status_code == 405


def test_search_and_export_take_document_types(client: httpx.Client) -> None:
    statements = client.get("/search", params={"type": "statement"}).json()
    assert [(hit["id"], hit["type"]) for hit in statements["results"]] == [
        ("000_45a78b254a50a030.txt", "statement")
    ]
    exported = client.get("/export", params={"type": "article", "format": "jsonl"}).text.splitlines()
    assert len(exported) == 4 and {json.loads(line)["type"] for line in exported} == {"article"}


def test_search_folds_copies_and_document_lists_them(copies_index: Path) -> None:
    with running(server.create_app(copies_index)) as url, httpx.Client(base_url=url, timeout=30) as http:
        folded = http.get("/search", params={"q": "port"}).json()
        assert (folded["total"], folded["distinct"], len(folded["results"])) == (5, 1, 1)
        assert [copy["id"] for copy in folded["results"][0]["copies"]] == [
            "outlet-a.txt", "outlet-b.txt", "first-half.txt", "second-half.txt"
        ]  # fmt: skip
        every = http.get("/search", params={"q": "port", "all_copies": "true"}).json()
        assert (every["distinct"], len(every["results"])) == (None, 5)
        document = http.get("/document", params={"id": "wire.txt"}).json()
        assert [copy["source"] for copy in document["copies"]] == ["Daily", "Herald", None, None]
        exported = http.get("/export", params={"q": "port", "format": "jsonl"}).text.splitlines()
        assert len(exported) == 1 and len(json.loads(exported[0])["copies"]) == 4
        assert http.get("/search", params={"q": "port", "all_copies": "maybe"}).status_code == 422


def test_associations_and_the_network_over_http(client: httpx.Client) -> None:
    with_ecowas = client.get("/actors/with", params={"actor": "ecowas", "min_count": 2}).json()
    assert with_ecowas["documents"] == 3 and with_ecowas["items"][0]["value"] == "amadou-toumani-toure"
    assert client.get("/actors/with", params={"actor": "Atlantis"}).json()["unknown_actors"] == [
        {"name": "Atlantis", "suggestions": []}
    ]
    terms = client.get("/terms", params={"q": "coup", "min_count": 2}).json()
    assert terms["documents"] == 3 and terms["items"]
    assert client.get("/terms", params={"q": "coup", "of": "actors"}).status_code == 200
    network = client.get("/network", params={"nodes": 4})
    assert (
        network.headers["content-type"].startswith("application/json") and len(network.json()["edges"]) == 6
    )
    graphml = client.get("/network", params={"nodes": 4, "format": "graphml"})
    assert (
        graphml.headers["content-type"].startswith("application/graphml+xml") and "<graphml" in graphml.text
    )
    for path, params in (("/network", {"min_count": 0}), ("/terms", {"of": "nothing"}), ("/actors/with", {})):
        refused = client.get(path, params=params)
        assert refused.status_code == 422 and set(refused.json()) == {"error"}


def test_indexes_served_together_answer_as_one_and_keep_no_saved_searches(
    sample_index: Path, tmp_path: Path
) -> None:
    """`search serve --index-dir A --index-dir B`: the API searches both as one; saved searches, kept by
    one index, are a 400 naming no folder."""
    files = sorted((PROJECT_ROOT / "corpus").glob("*.txt"))
    for name, part in [("first", files[:2]), ("second", files[2:])]:
        write_corpus(tmp_path / name, {path.name: path.read_text(encoding="utf-8") for path in part})
        index_corpus(tmp_path / name, tmp_path / f"index-{name}")
    together = server.create_app([tmp_path / "index-first", tmp_path / "index-second"])
    with running(server.create_app(sample_index)) as whole_url, running(together) as url:
        for path in ["/timeline?q=mali&by=year", f"/documents/{DW_REPORT}"]:
            assert httpx.get(url + path, timeout=30).json() == httpx.get(whole_url + path, timeout=30).json()
        whole, found = (
            httpx.get(u + "/search?q=junta+elections&facets=actor", timeout=30).json()
            for u in (whole_url, url)
        )
        second = {path.name for path in files[2:]}
        assert [hit.pop("index") for hit in found["results"]] == [
            2 if hit["id"] in second else 1 for hit in found["results"]
        ]  # which index holds each hit, counted from 1; otherwise the answer of one index of all
        assert {hit.pop("index") for hit in whole["results"]} == {1} and found == whole
        assert httpx.get(f"{url}/stats", timeout=30).json()["documents"] == 5
        saved = httpx.get(f"{url}/alerts", timeout=30)
        assert saved.status_code == 400 and "kept by one index" in saved.json()["error"]
    add_document(tmp_path / "index-first", DW_REPORT, "Another", "Another text with the same id.")
    with running(server.create_app([tmp_path / "index-first", tmp_path / "index-second"])) as url:
        ambiguous = httpx.get(f"{url}/document?id={DW_REPORT}", timeout=30)
        assert ambiguous.status_code == 400 and str(tmp_path) not in ambiguous.text
        assert "in indexes 1 and 2 of the 2 searched together" in ambiguous.json()["error"]
        assert ambiguous.json()["error"].endswith("say which to look in with index=N (from 1)")
        first, second = (
            httpx.get(f"{url}/document?id={DW_REPORT}&index={n}", timeout=30).json() for n in (1, 2)
        )
        assert (first["title"], second["title"]) == (
            "Another",
            open_index(sample_index).document(DW_REPORT).title,
        )
        similar = httpx.get(f"{url}/similar?id={DW_REPORT}&index=2", timeout=30).json()
        assert similar["results"] and {hit["index"] for hit in similar["results"]} <= {1, 2}
        for number, status in ((3, 400), (0, 422), ("x", 422)):
            refused = httpx.get(f"{url}/document?id={DW_REPORT}&index={number}", timeout=30)
            assert refused.status_code == status and set(refused.json()) == {"error"}, refused.text

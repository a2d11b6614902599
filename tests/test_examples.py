"""The files in examples/ and the Python blocks of README.md, run against real servers."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import wvorm
from tests.conftest import API_KEYS, ServerFactory, api_key_env
from tests.support.embedder import (
    GENERATED_PREFIX,
    EmbeddingService,
    generative_openai_env,
    rerank_score,
)
from wvorm.embedded import EmbeddedServer

ROOT = Path(__file__).resolve().parents[1]


def load_example(name: str) -> ModuleType:
    """Import examples/<name>.py as a real module (pydantic resolves forward refs there)."""
    spec = importlib.util.spec_from_file_location(
        f"examples.{name}", ROOT / "examples" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_quickstart_runs_the_orm_main_job() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    out = result.stdout
    # bm25 scores are floats the server computes: shorter titles score higher.
    scores = [float(s) for s in re.findall(r"^bm25: .*\(score (\d+\.\d{3})\)$", out, re.M)]
    assert len(scores) == 3 and all(s > 0 for s in scores), out
    assert scores == sorted(scores, reverse=True), out
    # Everything else is fixed data: the whole output, line by line.
    assert [re.sub(r"\(score \d+\.\d{3}\)", "(score S)", line) for line in out.splitlines()] == [
        "commit:  6 authors, 36 books",
        "where:   The Long Winter of the North (544 pages)",
        "where:   The Iron Century (520 pages)",
        "where:   The Salt Crown (498 pages)",
        "where:   Empires of Salt (468 pages)",
        "where:   Stations of the Void (466 pages)",
        "path:    Esme Okafor wrote Hollow Saints, Night Visitors, Teeth in the Dark, "
        "The Drowned Choir, The House on Rook Lane, What the Well Remembers",
        "bm25:    Winter Tides (score S)",
        "bm25:    Letters from a Winter Garden (score S)",
        "bm25:    The Long Winter of the North (score S)",
        "include: A Short History of Maps, by Dmitri Volkov",
        "include: Night Visitors, by Esme Okafor",
        "include: The Quiet Witness, by Bruno Castellan",
        "include: Dmitri Volkov wrote 6 books",
        "count:   12 books by authors born before 1950",
    ], out


def test_library_example(
    weaviate_server: EmbeddedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    library = load_example("library")
    try:
        library.main(weaviate_server.url)
    finally:
        with wvorm.Client(weaviate_server.url) as client:
            wvorm.drop_all(client, [library.Publication, library.Article, library.Author])
    out = capsys.readouterr().out
    assert "900 articles, 90 authors" in out
    lines = {kind: [line for line in out.splitlines() if line.startswith(kind)] for kind in
             ("where:", "near_text:", "bm25:", "hybrid:", "include:", "count:")}  # fmt: skip
    assert all(len(found) >= 1 for found in lines.values()), out
    words = [int(m) for m in re.findall(r"\((\d+) words\)", "\n".join(lines["where:"]))]
    assert words == sorted(words, reverse=True) and all(w > 2500 for w in words)
    assert all("couture" in x.lower() or "runway" in x.lower() for x in lines["near_text:"])
    assert all("telescope" in x.lower() for x in lines["bm25:"])
    assert "Author 7 wrote 10 articles" in lines["include:"][0]
    assert lines["count:"] == ["count:       10 articles written by Author 7"]


def readme_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_readme_blocks_run(
    weaviate_server: EmbeddedServer,
    server_factory: ServerFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keyed = server_factory(
        additional_env_vars=api_key_env({**API_KEYS, "YOUR-WEAVIATE-API-KEY": "u"})
    )
    for index, block in enumerate(readme_blocks()):
        url = keyed.url if "YOUR-WEAVIATE-API-KEY" in block else weaviate_server.url
        code = block.replace("http://localhost:8080", url)
        # A real module, so that pydantic resolves the block's forward references.
        module = ModuleType(f"readme_block_{index}")
        sys.modules[module.__name__] = module
        try:
            exec(compile(code, f"README.md[block {index}]", "exec"), module.__dict__)
        finally:
            del sys.modules[module.__name__]
        for value in vars(module).values():
            if isinstance(value, wvorm.Client):
                value.close()
    assert wvorm.WEAVIATE_VERSION in capsys.readouterr().out


def test_rag_example(
    server_factory: ServerFactory,
    embedding_service: EmbeddingService,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """examples/rag.py on a server with reranker-transformers and generative-openai, both
    pointed at the local service (whose answers are known, so the output is checked)."""
    env = generative_openai_env()
    env["ENABLE_MODULES"] = "generative-openai,reranker-transformers"
    env["RERANKER_INFERENCE_API"] = embedding_service.url
    server = server_factory(additional_env_vars=env)
    rag = load_example("rag")
    embedding_service.reset()
    rag.main(server.url, embedding_service.url)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"import:   10 passages with {rag.DIMENSIONS}-dim vectors"
    assert len([line for line in out if line.startswith("hybrid:")]) == 5
    assert "HNSW index finds the nearest" in out[1]  # the best hybrid match
    reranked = [line for line in out if line.startswith("rerank:")]
    scores = [float(line.split()[1]) for line in reranked]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    question = "How does a vector index find the nearest vectors?"
    texts = {t[:40]: t for _, t in rag.HANDBOOK}
    for line, score in zip(reranked, scores):
        text = texts[line.split(": ", 2)[-1]]
        assert score == pytest.approx(rerank_score(question, text), abs=1e-3)
    generated = [line for line in out if line.startswith("generate:")]
    assert len(generated) == 3
    assert all(f"] {GENERATED_PREFIX}Explain in one line: " in line for line in generated)
    (answer,) = [line for line in out if line.startswith("answer:")]
    assert answer.startswith(f"answer:   {GENERATED_PREFIX}Answer from these passages")
    chats = embedding_service.chat_requests
    assert len(chats) == 4 and all(c.model == "gpt-3.5-turbo" for c in chats)
    assert {c.body.get("temperature") for c in chats} == {0}

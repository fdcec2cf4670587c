"""The labelled detection corpus: phrase files, the train/test split and the rendered pages."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from dealwatch.core.errors import InvalidInput
from dealwatch.eval.detect import read_labels
from dealwatch.promo.detect.base import PROMOTION_TYPES
from dealwatch.promo.detect.corpus import (
    LANGUAGES,
    PHRASES_DIR,
    TEST_ONLY_LAYOUTS,
    CorpusSummary,
    build_corpus,
    chrome_strings,
    load_phrases,
    phrase_split,
)

FLOORS = {lang: 120 if lang == "en" else 35 for lang in LANGUAGES}
PAGES = 160


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CorpusSummary]:
    out = tmp_path_factory.mktemp("corpus")
    return out, build_corpus(out, seed=11, pages=PAGES)


def records(directory: Path) -> list[dict[str, Any]]:
    lines = (directory / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def normalise(text: str) -> str:
    return " ".join(text.split())


def readable(html: str) -> tuple[str, list[str]]:
    """The page's visible text (whitespace-normalised) and its images' alt texts."""
    tree = LexborHTMLParser(html)
    assert tree.body is not None
    alts = [normalise(img.attributes.get("alt") or "") for img in tree.css("img[alt]")]
    return normalise(tree.body.text(separator=" ")), alts


def test_phrase_files_parse_and_meet_the_volume_floors() -> None:
    phrases = load_phrases()
    assert sorted(path.stem for path in PHRASES_DIR.glob("*.jsonl")) == sorted(LANGUAGES)
    for lang in LANGUAGES:
        mine = [p for p in phrases if p.lang == lang]
        positives = [p for p in mine if p.label]
        negatives = [p for p in mine if not p.label]
        assert len(positives) >= FLOORS[lang], lang
        assert len(negatives) >= FLOORS[lang], lang
        assert {p.promotion_type for p in positives} == set(PROMOTION_TYPES), lang
        reasons = {p.why for p in negatives}
        assert {"policy", "signup", "financing", "teaser", "ended", "menu", "product", "injection"} <= reasons


def test_no_chrome_string_repeats_a_phrase() -> None:
    texts = {phrase.text for phrase in load_phrases()}
    assert [text for text in chrome_strings() if text in texts] == []


def test_the_split_is_by_phrase_text_and_near_the_test_share() -> None:
    phrases = load_phrases()
    texts = sorted({p.text for p in phrases})
    test = {text for text in texts if phrase_split(text, 0.25) == "test"}
    train = {text for text in texts if phrase_split(text, 0.25) == "train"}
    assert not test & train
    assert 0.18 < len(test) / len(texts) < 0.32
    assert {phrase_split(text, 0.25) for text in texts} == {"train", "test"}


def test_no_phrase_appears_in_both_splits_of_a_built_corpus(corpus: tuple[Path, CorpusSummary]) -> None:
    out, _ = corpus
    placed = {}
    for split in ("train", "test"):
        placed[split] = {text for record in records(out / split) for text in record["phrases"]}
        assert all(phrase_split(text, 0.25) == split for text in placed[split])
    assert placed["train"] and placed["test"]
    assert not placed["train"] & placed["test"]
    assert not {record["layout"] for record in records(out / "train")} & set(TEST_ONLY_LAYOUTS)
    assert {record["layout"] for record in records(out / "test")} & set(TEST_ONLY_LAYOUTS)


def test_a_built_corpus_is_read_by_the_detection_harness(corpus: tuple[Path, CorpusSummary]) -> None:
    out, summary = corpus
    for split, expected in (("train", summary.train), ("test", summary.test)):
        labelled = read_labels(out / split)
        assert len(labelled) == expected.total.pages
        assert sum(item.has_promotion for item in labelled) == expected.total.positives
        assert all((out / split / item.file).is_file() for item in labelled)
        assert all(item.url.startswith("https://www.") for item in labelled)
        for record in records(out / split):
            assert record["lang"] in LANGUAGES
            assert (record["promotion_text"] is not None) is record["has_promotion"]
            assert (record["promotion_type"] in PROMOTION_TYPES) is record["has_promotion"]
    assert summary.train.total.pages + summary.test.total.pages == PAGES
    assert summary.test.total.pages == PAGES // 4
    assert sum(t.pages for t in summary.test.languages.values()) == summary.test.total.pages


def test_every_placed_phrase_reads_back_verbatim(corpus: tuple[Path, CorpusSummary]) -> None:
    out, _ = corpus
    placements: Counter[str] = Counter()
    for split in ("train", "test"):
        for record in records(out / split):
            text, alts = readable((out / split / record["file"]).read_text(encoding="utf-8"))
            promotion = record["promotion_text"]
            if isinstance(promotion, str):
                placements[record["placement"]] += 1
                if record["placement"] == "image_alt":  # the banner is an image: only its alt text says it
                    assert promotion in alts and promotion not in text
                else:
                    assert promotion in text
            for phrase in record["phrases"]:
                assert phrase in text or phrase in alts
    assert len(placements) >= 6


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    build_corpus(first, seed=3, pages=40)
    build_corpus(second, seed=3, pages=40)
    build_corpus(other, seed=4, pages=40)
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    assert len(files) == 42
    assert files == sorted(path.relative_to(second) for path in second.rglob("*") if path.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert (first / "train/labels.jsonl").read_bytes() != (other / "train/labels.jsonl").read_bytes()


def test_a_rebuild_replaces_the_pages_of_a_larger_build(tmp_path: Path) -> None:
    build_corpus(tmp_path, pages=40)
    summary = build_corpus(tmp_path, pages=8)
    assert len(list((tmp_path / "train/pages").iterdir())) == summary.train.total.pages == 6


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ('{"text": "20% off", "label": true', "not valid JSON"),
        ('{"text": "20% off", "label": true, "type": "half_off", "why": null}', "positive needs"),
        ('{"text": "20% off", "label": true, "type": "percentage_off", "why": "policy"}', "positive needs"),
        ('{"text": "Free returns", "label": false, "type": null, "why": "boring"}', "negative needs"),
        ('{"text": "Free returns", "label": "no", "type": null, "why": "policy"}', "'label'"),
        ('{"text": " Free  returns", "label": false, "type": null, "why": "policy"}', "whitespace"),
        (
            '{"text": "Free returns", "label": false, "type": null, "why": "policy", "x": 1}',
            "exactly the keys",
        ),
        ('{"text": "Sale", "label": false, "type": null, "why": "menu"}', "duplicate of line 1"),
    ],
)
def test_a_bad_phrase_line_names_the_file_and_line(tmp_path: Path, line: str, complaint: str) -> None:
    good = '{"text": "Sale", "label": false, "type": null, "why": "menu"}'
    (tmp_path / "de.jsonl").write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_phrases(tmp_path)
    assert f"{tmp_path / 'de.jsonl'}:2:" in str(caught.value)
    assert complaint in str(caught.value)


def test_an_unknown_language_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "xx.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"xx\.jsonl: unknown language"):
        load_phrases(tmp_path)


@pytest.mark.parametrize(("pages", "test_share"), [(1, 0.25), (100, 0.0), (100, 1.0)])
def test_build_refuses_impossible_sizes(tmp_path: Path, pages: int, test_share: float) -> None:
    with pytest.raises(InvalidInput):
        build_corpus(tmp_path, pages=pages, test_share=test_share)

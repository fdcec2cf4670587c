import itertools
from datetime import date, timedelta

import pytest

from dealwatch.sandbox import SandboxWorld, TruthDay
from dealwatch.sandbox.holiday_dates import FRI, black_friday


def test_calendars_are_deterministic_per_seed_and_differ_between_seeds(world: SandboxWorld) -> None:
    again = SandboxWorld.generate(n_stores=30, seed=7)
    other = SandboxWorld.generate(n_stores=30, seed=8)
    assert [s.slug for s in again.stores] == [s.slug for s in world.stores]
    assert all(again.calendar(s.slug) == world.calendar(s.slug) for s in world.stores)
    assert [s.slug for s in other.stores] != [s.slug for s in world.stores]


def test_events_stay_in_the_window_last_one_to_ten_days_and_never_overlap(big_world: SandboxWorld) -> None:
    for store in big_world.stores:
        events = big_world.calendar(store.slug)
        for event in events:
            assert big_world.start <= event.start <= event.end <= big_world.end
            assert 1 <= (event.end - event.start).days + 1 <= 10
        for earlier, later in itertools.pairwise(events):
            assert earlier.end < later.start


def test_a_two_year_window_spans_the_new_year() -> None:
    world = SandboxWorld.generate(n_stores=10, seed=3, start=date(2024, 6, 1), days=730)
    days = [e.start for s in world.stores for e in world.calendar(s.slug)]
    assert min(days) >= date(2024, 6, 1)
    assert max(days) <= date(2026, 5, 31)
    assert any(d.year == 2026 for d in days)


def test_most_stores_run_black_friday_and_it_covers_the_day(big_world: SandboxWorld) -> None:
    with_bf = 0
    for store in big_world.stores:
        for event in big_world.calendar(store.slug):
            if event.kind == "holiday" and event.name.startswith("Black Friday"):
                with_bf += 1
                assert event.covers(black_friday(2025))
                assert event.start >= black_friday(2025) - timedelta(days=7)
    assert with_bf >= 0.75 * len(big_world.stores)


def test_stores_mix_holidays_cadences_and_one_offs_in_different_amounts(big_world: SandboxWorld) -> None:
    kinds = {e.kind for s in big_world.stores for e in big_world.calendar(s.slug)}
    assert kinds == {"holiday", "cadence", "oneoff"}
    counts = sorted(len(big_world.calendar(s.slug)) for s in big_world.stores)
    assert counts[0] <= 4 and counts[-1] >= 20
    types = {e.promotion_type for s in big_world.stores for e in big_world.calendar(s.slug)}
    assert types == {
        "percentage_off", "fixed_discount", "seasonal_sale", "coupon_code",
        "free_shipping", "bogo", "clearance", "other",
    }  # fmt: skip


def test_payday_stores_sell_on_paydays(big_world: SandboxWorld) -> None:
    payday_stores = [s for s in big_world.stores if s.archetype == "payday"]
    assert payday_stores
    for store in payday_stores:
        for event in big_world.calendar(store.slug):
            if event.kind == "cadence":
                payday = event.start.day in (1, 15)
                moved_to_friday = event.start.weekday() == FRI and event.start.day in (13, 14, 28, 29, 30, 31)
                assert payday or moved_to_friday, event


def test_discount_pct_is_the_percentage_stated_in_the_banner(big_world: SandboxWorld) -> None:
    for store in big_world.stores:
        for event in big_world.calendar(store.slug):
            if event.discount_pct is not None:
                assert f"{event.discount_pct}%" in event.text.replace(" %", "%")
            if event.promotion_type in ("bogo", "free_shipping", "fixed_discount"):
                assert event.discount_pct is None


def test_non_english_stores_use_local_phrasing_and_currency(big_world: SandboxWorld) -> None:
    by_language: dict[str, str] = {}
    for store in big_world.stores:
        for event in big_world.calendar(store.slug):
            by_language[store.language] = by_language.get(store.language, "") + event.text + "\n"
    assert {"en", "de", "fr", "es"} <= set(by_language)
    assert "auf" in by_language["de"] or "Rabatt" in by_language["de"]
    assert (
        "Soldes" in by_language["fr"] or "réduction" in by_language["fr"] or "sur tout" in by_language["fr"]
    )
    assert "descuento" in by_language["es"] or "Rebajas" in by_language["es"] or "2x1" in by_language["es"]


def test_teasers_and_ended_notes_only_fall_on_days_without_a_sale(big_world: SandboxWorld) -> None:
    seen = {"teaser": 0, "ended": 0}
    for store in big_world.stores:
        events = big_world.calendar(store.slug)
        for offset in range(big_world.days):
            day = big_world.start + timedelta(days=offset)
            notice = big_world.notice(store.slug, day)
            if notice is None:
                continue
            seen[notice.kind] += 1
            assert not big_world.truth(store.slug, day).has_promotion
            if notice.kind == "teaser":
                assert any(timedelta(days=1) <= e.start - day <= timedelta(days=3) for e in events)
            else:
                assert any(timedelta(days=1) <= day - e.end <= timedelta(days=2) for e in events)
    assert seen["teaser"] > 20 and seen["ended"] > 20


def test_truth_follows_the_calendar(world: SandboxWorld) -> None:
    store = world.stores[0]
    event = world.calendar(store.slug)[0]
    truth = world.truth(store.slug, event.start)
    assert truth.has_promotion and truth.promotion_type == event.promotion_type
    assert truth.promotion_text == event.text_on(event.start)
    assert truth.discount_pct == event.discount_pct
    assert world.truth(store.slug, event.end).promotion_text == (event.final_day_text or event.text)
    quiet_day = next(
        world.start + timedelta(days=i)
        for i in range(world.days)
        if not any(e.covers(world.start + timedelta(days=i)) for e in world.calendar(store.slug))
    )
    assert world.truth(store.slug, quiet_day) == TruthDay(has_promotion=False)


def test_unknown_store_is_a_key_error(world: SandboxWorld) -> None:
    with pytest.raises(KeyError, match="unknown sandbox store"):
        world.truth("no-such-store", date(2025, 1, 1))


def test_generate_refuses_an_empty_world() -> None:
    with pytest.raises(ValueError, match="at least one store"):
        SandboxWorld.generate(n_stores=0)

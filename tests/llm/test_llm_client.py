"""End to end: the official SDKs against loopback fakes, through build_llm's whole stack."""

from __future__ import annotations

import socket
from datetime import timedelta
from decimal import Decimal

import pytest
from llm_rig import KEY_ENV, Rig, Verdict
from sqlalchemy import func, select

from dealwatch.alerts.models import AlertDelivery
from dealwatch.llm import BudgetExceeded, LLMError
from dealwatch.llm.budget import token_cost
from dealwatch.llm.models import LlmSpend
from dealwatch.promo.detect.base import Page
from dealwatch.promo.detect.llm_tier import LlmDetector
from dealwatch.services import build_services
from dealwatch.settings import AlertSettings, Settings
from dealwatch.testing import Inbox, LoopbackServer


async def test_answer_is_validated_with_tokens_and_cost(rig: Rig) -> None:
    completion = await rig.client().complete_json("Is there a sale?", Verdict, system="You detect sales.")

    assert completion.value == Verdict(has_promotion=True, discount_pct=30)
    usage = completion.usage
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    assert usage.model.startswith(rig.settings.resolved_model())
    price = rig.settings.price_of(rig.settings.resolved_model())
    assert usage.cost == token_cost(price, usage.input_tokens, usage.output_tokens) > 0
    assert not usage.cached and usage.latency >= 0
    body = rig.fake.bodies[0]
    assert body["model"] == rig.settings.resolved_model() and body["max_tokens"] == 400
    if rig.provider == "openai":
        assert body["response_format"] == {"type": "json_object"}
        system = body["messages"][0]["content"]
    else:
        system = body["system"]
    assert system.startswith("You detect sales.") and '"has_promotion"' in system


async def test_invalid_json_is_repaired_once(rig: Rig) -> None:
    client = rig.client(cache_ttl=0)
    plain = await client.complete_json("Is there a sale?", Verdict)
    rig.fake.invalid_json_next()

    completion = await client.complete_json("Is there a sale?", Verdict)

    assert completion.value.has_promotion and rig.fake.calls == 3
    repair = rig.fake.bodies[2]["messages"]
    assert [m["role"] for m in repair][-3:] == ["user", "assistant", "user"]
    assert "could not be used" in repair[-1]["content"]
    assert completion.usage.input_tokens > 2 * plain.usage.input_tokens  # both calls are counted
    assert completion.usage.cost > 2 * plain.usage.cost


async def test_invalid_twice_is_an_error(rig: Rig) -> None:
    rig.fake.invalid_json_next(2)

    with pytest.raises(LLMError, match=f"{rig.provider}: answer is not a valid Verdict"):
        await rig.client().complete_json("Is there a sale?", Verdict)
    assert rig.fake.calls == 2


async def test_schema_violation_is_an_error_after_one_repair(rig: Rig) -> None:
    rig.fake.responder = lambda prompt: '{"has_promotion": "maybe"}'

    with pytest.raises(LLMError, match="after one repair: has_promotion: Input should be a valid boolean"):
        await rig.client().complete_json("Is there a sale?", Verdict)
    assert rig.fake.calls == 2


async def test_429_waits_as_told_by_retry_after(rig: Rig) -> None:
    rig.fake.fail_next(429, times=2, retry_after="7")

    completion = await rig.client().complete_json("Is there a sale?", Verdict)

    assert completion.value.has_promotion
    assert rig.waits == [7.0, 7.0] and rig.fake.calls == 3


async def test_retries_back_off_and_give_up(rig: Rig) -> None:
    rig.fake.fail_next(500, times=5)

    with pytest.raises(LLMError, match=f"{rig.provider}: gave up after 2 retries"):
        await rig.client(max_retries=2, backoff_base=0.5).complete_json("Is there a sale?", Verdict)
    assert rig.waits == [0.5, 1.0] and rig.fake.calls == 3


async def test_retry_after_is_capped(rig: Rig) -> None:
    rig.fake.fail_next(429, retry_after="3600")

    await rig.client(max_retry_after=30).complete_json("Is there a sale?", Verdict)

    assert rig.waits == [30.0]


async def test_unreachable_server_is_retried_then_an_error(rig: Rig) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connection refused
    base_url = f"http://127.0.0.1:{port}" + ("/v1" if rig.provider == "openai" else "")

    with pytest.raises(LLMError, match="gave up after 1 retries"):
        await rig.client(base_url=base_url, max_retries=1).complete_json("Is there a sale?", Verdict)
    assert rig.waits == [1.0]


async def test_401_is_an_error_naming_the_provider(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "wrong-key")

    with pytest.raises(LLMError, match=f"^{rig.provider}: HTTP 401") as caught:
        await rig.client().complete_json("Is there a sale?", Verdict)
    assert "API key" in str(caught.value)
    assert rig.fake.calls == 1 and rig.waits == []


async def test_cache_answers_the_same_call_until_its_ttl(rig: Rig) -> None:
    client = rig.client(cache_ttl=3600)
    first = await client.complete_json("Is there a sale?", Verdict, system="s")

    second = await client.complete_json("Is there a sale?", Verdict, system="s")
    assert second.value == first.value and rig.fake.calls == 1
    assert second.usage.cached and second.usage.cost == 0 and second.usage.input_tokens == 0

    await client.complete_json("Is there a sale?", Verdict, system="other system")
    assert rig.fake.calls == 2

    rig.clock.advance(timedelta(seconds=3600))
    third = await client.complete_json("Is there a sale?", Verdict, system="s")
    assert not third.usage.cached and rig.fake.calls == 3


async def test_disk_cache_survives_a_new_client(rig: Rig, tmp_path: pytest.TempPathFactory) -> None:
    await rig.client(cache_dir=tmp_path).complete_json("Is there a sale?", Verdict)

    again = await rig.client(cache_dir=tmp_path).complete_json("Is there a sale?", Verdict)

    assert again.usage.cached and rig.fake.calls == 1


async def test_budget_breaker_trips_and_resets_with_the_window(rig: Rig) -> None:
    client = rig.client(daily_budget_usd=Decimal("0.00001"))  # one call of ~100 tokens passes it
    first = await client.complete_json("page one", Verdict)
    assert first.usage.cost > Decimal("0.00001")
    assert len(rig.alerts) == 1 and rig.alerts[0][1] == Decimal("0.00001")

    with pytest.raises(BudgetExceeded, match="last 24 h"):
        await client.complete_json("page two", Verdict)
    assert rig.fake.calls == 1
    assert (await client.complete_json("page one", Verdict)).usage.cached  # cached answers stay free

    rig.clock.advance(timedelta(hours=23, minutes=59))
    with pytest.raises(BudgetExceeded):
        await client.complete_json("page two", Verdict)

    rig.clock.advance(timedelta(minutes=1))
    assert (await client.complete_json("page two", Verdict)).value.has_promotion
    assert rig.fake.calls == 2 and len(rig.alerts) == 2  # the new call tripped it again: a new alert


async def test_the_products_llm_clients_share_one_budget_and_alert_once(rig: Rig, settings: Settings) -> None:
    # The flip job's client and the detection tier's (each on its own event loop) on one database.
    inbox = Inbox()
    with LoopbackServer(inbox.app) as hook:
        llm = rig.settings.model_copy(update={"daily_budget_usd": Decimal("0.00001")})
        alerts = AlertSettings(urls=[Inbox.apprise_url(hook)])
        services = build_services(settings.model_copy(update={"llm": llm, "alerts": alerts}), rig.clock)
        tier = next(t for t in services.detector.tiers if isinstance(t, LlmDetector))
        try:
            assert services.llm is not None
            await services.llm.complete_json("Is this find worth it?", Verdict)  # spends the budget
            page = Page("https://shop.example/", "<div class='announcement-bar'>30% off everything</div>")
            detection = tier.detect(page)
        finally:
            await services.aclose()
    assert rig.fake.calls == 1  # the detection tier saw the flip client's spend and did not call
    assert detection.has_promotion is None and detection.evidence == ("llm-error:BudgetExceeded",)
    assert len(inbox.received) == 1 and "LLM budget spent" in inbox.received[0]["title"]
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LlmSpend)) == 1
        sent = session.scalars(select(AlertDelivery)).all()
        assert [(a.key, a.status) for a in sent] == [("llm:budget", "sent")]  # both tripped, one alert

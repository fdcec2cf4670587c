"""Settings: one pydantic-settings tree, nested per feature.

Precedence: CLI overrides > environment (DEALWATCH_*, nested with __) > dealwatch.toml > defaults.
Built by load_settings(), never at import.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from dealwatch.core.errors import ConfigError
from dealwatch.llm.settings import LlmSettings

DEFAULT_CONFIG_FILE = Path("dealwatch.toml")
DEFAULT_USER_AGENT = "dealwatch/0.1 (self-hosted deal tracker; set fetch.user_agent to add your contact)"


class _Section(BaseModel):
    """A settings section: unknown keys are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid")


class BrowserSettings(_Section):
    """The browser tier: Playwright driving the system's Chromium."""

    executable: str = Field("/usr/bin/chromium", description="Chromium binary (never downloaded)")
    max_pages: int = Field(4, ge=1, description="pages rendering at once")
    idle_timeout: float = Field(5.0, gt=0, description="longest wait for network idle after load, seconds")
    idle_quiet: float = Field(0.15, gt=0, description="seconds with no request in flight that count as idle")
    block_resources: list[str] = Field(
        default_factory=lambda: ["image", "font", "media"], description="resource types not downloaded"
    )
    profiles: dict[str, str] = Field(
        default_factory=dict,
        description="site -> the operator's own logged-in Chromium profile directory, e.g. "
        '{"facebook.com" = "/srv/dealwatch/chromium-facebook"}; pages of that site (and its subdomains) '
        "render in it, cookies kept; dealwatch never logs in itself",
    )


class ScrapingApiSettings(_Section):
    """The scraping-API tier: a Firecrawl-compatible HTTP API (cloud or self-hosted)."""

    base_url: str = Field("https://api.firecrawl.dev", description="API base URL")
    api_key_env: str = Field("FIRECRAWL_API_KEY", description="environment variable holding the API key")
    cost_per_call: Decimal = Field(Decimal("0.002"), ge=0, description="USD recorded per call")
    only_main_content: bool = Field(False, description="ask for main content only (banners often are not)")
    wait_for_ms: int = Field(1000, ge=0, description="milliseconds the API waits for JavaScript")
    timeout: float = Field(60.0, gt=0, description="seconds per call")


class FetchSettings(_Section):
    """How pages are fetched."""

    tiers: list[str] = Field(
        default_factory=lambda: ["http", "browser", "scraping_api"], description="fetch tiers, cheapest first"
    )
    user_agent: str = Field(DEFAULT_USER_AGENT, description="User-Agent sent to stores (honest by default)")
    per_host_delay: float = Field(1.0, ge=0, description="seconds between two requests to one host")
    per_host_concurrency: int = Field(1, ge=1, description="requests in flight per host")
    concurrency: int = Field(32, ge=1, description="requests in flight overall")
    timeout: float = Field(20.0, gt=0, description="seconds per request")
    max_retries: int = Field(3, ge=0, description="retries on 429/503/connection errors")
    backoff_base: float = Field(1.0, ge=0, description="first backoff in seconds, doubled per retry")
    max_retry_after: float = Field(120.0, ge=0, description="longest Retry-After honoured, seconds")
    max_bytes: int = Field(10_000_000, gt=0, description="largest page accepted, bytes")
    obey_robots: bool = Field(True, description="obey robots.txt")
    robots_ttl: float = Field(86_400.0, ge=0, description="seconds a robots.txt is cached")
    max_redirects: int = Field(10, ge=0, description="redirects followed per fetch")
    total_timeout: float = Field(
        120.0, gt=0, description="seconds a whole fetch (all retries, all tiers) may take"
    )
    allowed_networks: list[str] = Field(
        default_factory=list,
        description="private/loopback networks the SSRF guard lets through, as CIDRs (e.g. 127.0.0.0/8)",
    )
    escalate_below: float = Field(
        0.6,
        ge=0,
        le=1,
        description="a store starts at the next tier when a tier's success rate falls below this",
    )
    learn_window: int = Field(
        10, ge=1, description="recent fetches per store a tier's success rate is judged on"
    )
    browser: BrowserSettings = Field(default_factory=lambda: BrowserSettings())
    scraping_api: ScrapingApiSettings = Field(default_factory=lambda: ScrapingApiSettings())


class DetectSettings(_Section):
    """The detection cascade."""

    tiers: list[str] = Field(
        default_factory=lambda: ["structured", "rules", "ml", "llm", "review"],
        description="detection tiers in order; a tier that cannot run here (no extra/model/key) drops out",
    )
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {"structured": 0.95, "rules": 0.97, "ml": 0.9, "llm": 0.85},
        description="calibrated confidence at which a tier's verdict stops the cascade",
    )
    review_below: float = Field(
        0.8, ge=0.0, le=1.0, description="final verdicts less sure than this go to the review queue"
    )
    model: Path | None = Field(
        None, description="detection model file from `dealwatch train detect` (default: the shipped model)"
    )


class ForecastSettings(_Section):
    """The next-sale forecast."""

    model: Literal["interval", "dealwatch", "cadence", "calendar", "seasonal", "alternating", "prophet"] = (
        Field(
            "dealwatch",
            description="next-sale model stored each day (compare with `dealwatch eval forecast`)",
        )
    )


class PromoSettings(_Section):
    """The store-promotion job."""

    detect: DetectSettings = Field(default_factory=DetectSettings)
    forecast: ForecastSettings = Field(default_factory=ForecastSettings)


class FlipImageSettings(_Section):
    """Listing photos: downloaded (SSRF guard, size and type checks) to the blob store, OCR'd when useful."""

    enabled: bool = Field(True, description="download listing photos (for OCR and cross-post matching)")
    max_per_listing: int = Field(3, ge=0, description="photos downloaded per listing (the first ones)")
    max_bytes: int = Field(5_000_000, gt=0, description="largest photo accepted, bytes")
    timeout: float = Field(10.0, gt=0, description="seconds per photo download")
    concurrency: int = Field(16, ge=1, description="photo downloads in flight overall")
    per_host: int = Field(4, ge=1, description="photo downloads in flight per image host")
    ocr: bool = Field(
        True, description="read text from photos with Tesseract when the title names no model number"
    )
    ocr_max_images: int = Field(2, ge=0, description="photos read by OCR per listing")
    ocr_timeout: float = Field(5.0, gt=0, description="seconds Tesseract may spend on one photo")
    tesseract_cmd: str = Field("tesseract", description="Tesseract binary (Debian package tesseract-ocr)")
    ocr_min_confidence: float = Field(
        50.0, ge=0, le=100, description="Tesseract word confidence (0-100) below which a word is ignored"
    )


class CrossPostSettings(_Section):
    """Linking one physical item posted on several marketplaces."""

    enabled: bool = Field(True, description="link cross-posted listings (title, price and photo similarity)")
    min_title_similarity: float = Field(
        0.6, ge=0, le=1, description="title similarity (0-1, rapidfuzz token set) a linked pair needs"
    )
    max_price_gap: float = Field(
        0.25,
        ge=0,
        le=1,
        description="largest price difference of a linked pair, as a share of the higher price",
    )
    max_image_distance: int = Field(
        8,
        ge=0,
        le=64,
        description="largest photo difference hash distance (bits of 64) that is the same photo",
    )
    max_candidates: int = Field(500, ge=1, description="listings on other marketplaces compared per listing")


class FlipSettings(_Section):
    """The marketplace-arbitrage job: how finds are valued, costed and routed."""

    comps_url: str = Field(
        "https://www.ebay.com", description="base URL of the eBay(-compatible) site sold comps are read from"
    )
    sell_on: str = Field("ebay", description="fee table of the platform finds are resold on")
    sell_shipped: bool = Field(
        True, description="resell shipped (label cost counted) rather than local pickup"
    )
    fee_tables_dir: Path | None = Field(
        None, description="directory of <platform>.toml fee tables overriding or adding to the built-in ones"
    )
    target_profit: Decimal = Field(Decimal("50"), ge=0, description="profit a max buy price is computed for")
    travel_rate: Decimal = Field(
        Decimal("0.70"), ge=0, description="pickup travel cost per mile (round trip)"
    )
    buy_at: float = Field(8.0, ge=0, le=10, description="score from which a find goes to the buy workflow")
    review_at: float = Field(6.0, ge=0, le=10, description="score from which a find goes to human review")
    min_comps: int = Field(3, ge=1, description="fewest sold comps a valuation is made from")
    window_days: int = Field(90, ge=1, description="how far back sold comps count")
    images: FlipImageSettings = Field(default_factory=FlipImageSettings)
    cross_posts: CrossPostSettings = Field(default_factory=CrossPostSettings)


class AlertSettings(_Section):
    """Alerts on high-value finds."""

    urls: list[str] = Field(
        default_factory=list,
        description="Apprise URLs, one per channel (mailto://, slack://, tgram://, ntfy://, json://...)",
    )
    min_score: float = Field(8.0, ge=0, le=10, description="profit score at or above which a find is alerted")
    min_profit: Decimal = Field(
        Decimal("500"), ge=0, description="expected profit (USD) at or above which a find is alerted"
    )


class TaskSettings(_Section):
    """Where the daily pass runs: in this process, or on Celery workers."""

    runner: Literal["inline", "celery"] = Field(
        "inline", description="`inline` (this process) or `celery` (`dealwatch worker` processes)"
    )
    broker_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Celery broker and result backend (Redis URL)"
    )
    queue: str = Field("dealwatch", description="Celery queue the daily pass's tasks are sent to")
    chunk_size: int = Field(20, ge=1, description="stores per Celery task")
    timeout: float = Field(3600.0, gt=0, description="seconds `dealwatch run` waits for the workers")


class ScheduleSettings(_Section):
    """What `dealwatch serve` runs on its own, on a clock (off by default: cron `dealwatch run` instead)."""

    daily_at: str | None = Field(
        None, description='time of day (UTC, "HH:MM") of the daily store pass; none: not scheduled'
    )
    scan_every: int = Field(0, ge=0, description="minutes between marketplace scans; 0: not scheduled")

    @property
    def enabled(self) -> bool:
        """Whether anything is scheduled."""
        return self.daily_at is not None or self.scan_every > 0

    @field_validator("daily_at")
    @classmethod
    def _clock_time(cls, value: str | None) -> str | None:
        if value is not None:
            hour, sep, minute = value.partition(":")
            if not (sep and hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
                raise ValueError(f'must be a UTC time of day as "HH:MM", got {value!r}')
        return value


_PLACEHOLDERS = {"changeme", "changemechangeme", "secret", "password", "0123456789abcdef"}


class ApiSettings(_Section):
    """The REST API and dashboard."""

    host: str = Field("127.0.0.1", description="address `dealwatch serve` listens on")
    port: int = Field(8000, ge=1, le=65535, description="port `dealwatch serve` listens on")
    key: SecretStr | None = Field(
        None, description="API key write calls must send as `X-API-Key` (writes are refused without one)"
    )

    @field_validator("key")
    @classmethod
    def _no_placeholder_key(cls, key: SecretStr | None) -> SecretStr | None:
        value = key.get_secret_value() if key is not None else None
        if value is not None and (len(value) < 16 or value.lower() in _PLACEHOLDERS):
            raise ValueError("must be a real secret of 16+ characters (e.g. `openssl rand -hex 16`)")
        return key


class Settings(BaseSettings):
    """Everything configurable in dealwatch."""

    model_config = SettingsConfigDict(
        env_prefix="DEALWATCH_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(Path(".dealwatch"), description="where the database and blobs live by default")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default sqlite under data_dir")
    blob_url: str | None = Field(
        None, description="fsspec URL of the blob store; default file:// under data_dir"
    )
    log_level: str = Field("INFO", description="log level")
    log_json: bool = Field(False, description="log as JSON lines (production)")
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    promo: PromoSettings = Field(default_factory=PromoSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    flip: FlipSettings = Field(default_factory=FlipSettings)
    tasks: TaskSettings = Field(default_factory=TaskSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return url

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'dealwatch.db'}"

    @property
    def resolved_blob_url(self) -> str:
        """The blob store URL, defaulting to a local folder in the data dir."""
        return self.blob_url or (self.data_dir.resolve() / "blobs").as_uri()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlSource(settings_cls)


_toml_values: ContextVar[dict[str, Any] | None] = ContextVar("dealwatch_toml_values", default=None)


class _TomlSource(PydanticBaseSettingsSource):
    """The values read from dealwatch.toml by load_settings, ranked below the environment."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return (_toml_values.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_toml_values.get() or {})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def describe_validation_error(source: str, exc: ValidationError) -> str:
    """'dealwatch.toml: fetch.timeout: Input should be greater than 0' for each problem."""
    problems = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or "(root)"
        problems.append(f"{source}: {field}: {err['msg']}")
    return "\n".join(problems)


M = TypeVar("M", bound=BaseModel)


def read_toml_tables(
    path: Path, table: str, model: type[M], key: Callable[[M], str] | None = None
) -> list[M]:
    """Validate each `[[table]]` of a TOML file as `model`; every problem names the file, entry and field.

    With `key`, two entries with the same key are refused too.
    """
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: expected one or more [[{table}]] tables")
    specs: list[M] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        try:
            specs.append(model.model_validate(entry))
        except ValidationError as exc:
            problems.append(describe_validation_error(f"{path}: {table}[{index}]", exc))
    seen: dict[str, int] = {}
    for index, spec in enumerate(specs):
        name = key(spec) if key is not None else None
        if name is None:
            continue
        if name in seen:
            problems.append(f"{path}: {table}[{index}]: id {name!r} repeats {table}[{seen[name]}]")
        seen[name] = index
    if problems:
        raise ConfigError("\n".join(problems))
    return specs


def load_settings(config_file: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Build Settings from CLI overrides, DEALWATCH_* environment, the TOML file and defaults.

    `config_file` defaults to ./dealwatch.toml when it exists. Errors name the file and the field.
    """
    path = config_file if config_file is not None else DEFAULT_CONFIG_FILE
    file_values: dict[str, Any] = {}
    if path.exists():
        file_values = _read_toml(path)
    elif config_file is not None:
        raise ConfigError(f"{path}: config file not found")
    if file_values:
        # Validate the file alone first, so its errors name the file and not the merged result.
        try:
            Settings.model_validate(file_values)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(str(path), exc)) from exc

    token = _toml_values.set(file_values)
    try:
        return Settings(**(overrides or {}))
    except ValidationError as exc:
        raise ConfigError(
            describe_validation_error("settings (CLI or DEALWATCH_* environment)", exc)
        ) from exc
    finally:
        _toml_values.reset(token)

"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from backend.api.routes import health, markets, projects
from backend.api.settings import ApiSettings
from backend.common.chain import ROOT
from backend.indexer.db import create_schema, make_engine

SWAGGER_UI = ROOT / "node_modules" / "swagger-ui-dist"
MAX_ECHO = 100  # characters of a rejected input quoted back in a 422


def create_app(settings: ApiSettings | None = None, *, database_url: str | None = None) -> FastAPI:
    """An app reading the indexer's database at ``settings.database_url`` (or ``database_url``,
    which overrides it); it needs no node. Without settings, they come from the environment."""
    settings = settings or ApiSettings()
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    engine = make_engine(settings.database_url)
    # The indexer normally creates the schema; doing it here lets the API start first.
    create_schema(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="Infrastructure Exchange API",
        version="0.1.0",
        description="Projects, metrics, order books and trades, as indexed from the chain.",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: the default loads Swagger UI from a CDN
        redoc_url=None,
    )
    _mount_docs(app)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.state.engine = engine
    app.state.settings = settings
    api = APIRouter(prefix="/api")
    api.include_router(projects.router)
    api.include_router(markets.router)
    api.include_router(health.router)
    app.include_router(api)
    return app


def _mount_docs(app: FastAPI) -> None:
    """OpenAPI docs at /docs with Swagger UI from npm (node_modules/swagger-ui-dist), so the page
    works with no internet."""
    if not SWAGGER_UI.is_dir():
        return
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_UI), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - docs",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 body, with the validator's exception shown as its message (the default
    renders it as an empty object)."""
    detail = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
    for error in detail:  # echo a long input only in part: the client has it anyway
        if isinstance(error.get("input"), str) and len(error["input"]) > MAX_ECHO:
            error["input"] = error["input"][:MAX_ECHO] + "..."
    return JSONResponse(status_code=422, content={"detail": detail})

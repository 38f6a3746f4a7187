"""The registry's JSON API, under /api/v1."""

from fastapi import APIRouter

from kieubao.registry.api.citizens import router as citizens_router
from kieubao.registry.api.duplicates import router as duplicates_router
from kieubao.registry.api.imports import router as imports_router

router = APIRouter()
router.include_router(imports_router)
router.include_router(duplicates_router)
router.include_router(citizens_router)

"""Configuration: environment settings plus the YAML files operations staff edit.

`load_config()` validates everything up front so that a bad file fails at start-up with one
clear line (file, line, field, problem) instead of a traceback mid-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from civicwatch.config.catalogue import Catalogue, Item
from civicwatch.config.gazetteer import Gazetteer
from civicwatch.config.loader import load_model
from civicwatch.config.platforms import PlatformConfig, PlatformsFile
from civicwatch.settings import Settings, get_settings

__all__ = [
    "Catalogue", "Config", "Gazetteer", "Item", "PlatformConfig", "PlatformsFile", "Settings",
    "get_settings", "load_catalogue", "load_config", "load_gazetteer", "load_platforms",
]


@dataclass(frozen=True)
class Config:
    settings: Settings
    catalogue: Catalogue
    gazetteer: Gazetteer
    platforms: PlatformsFile

    @property
    def config_dir(self) -> Path:
        return self.settings.config_dir


@lru_cache(maxsize=8)
def load_catalogue(path: Path) -> Catalogue:
    return load_model(Catalogue, path)


@lru_cache(maxsize=8)
def load_gazetteer(path: Path) -> Gazetteer:
    return load_model(Gazetteer, path)


def load_platforms(path: Path) -> PlatformsFile:
    return load_model(PlatformsFile, path)


def load_config(settings: Settings | None = None) -> Config:
    settings = settings or get_settings()
    d = settings.config_dir
    return Config(
        settings=settings,
        catalogue=load_catalogue(d / "catalogue.yaml"),
        gazetteer=load_gazetteer(d / "gazetteer.yaml"),
        platforms=load_platforms(d / "platforms.yaml"),
    )

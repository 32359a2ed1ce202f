"""Configuration: environment settings plus the YAML files operations staff edit.

`load_config()` loads and validates every file up front (catalogue, gazetteer, platforms, rules,
classifier, forums/), rule expressions and cross-references included, so that a bad file fails
at start-up with one clear line (file, line, field, problem) instead of a traceback mid-run.
One module per file holds its schema.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from civicwatch.config.catalogue import Catalogue, Item
from civicwatch.config.classifier import ClassifierConfig, Scoring, load_classifier
from civicwatch.config.forums import ForumDefinition, load_forums
from civicwatch.config.gazetteer import Gazetteer
from civicwatch.config.loader import load_model
from civicwatch.config.model import ModelFile, read_model_file
from civicwatch.config.platforms import PlannerConfig, PlatformConfig, PlatformsFile
from civicwatch.config.rules import RulesConfig, RuleSpec, load_rules
from civicwatch.keys import author_key
from civicwatch.settings import Settings, get_settings

__all__ = [
    "Catalogue", "ClassifierConfig", "Config", "ForumDefinition", "Gazetteer", "Item", "ModelFile", "PlannerConfig",
    "PlatformConfig",
    "PlatformsFile", "RuleSpec", "RulesConfig", "Scoring", "Settings", "get_settings", "load_catalogue",
    "load_classifier", "load_config", "load_forums", "load_gazetteer", "load_platforms", "load_rules",
]


@dataclass(frozen=True)
class Config:
    """Everything under the config directory, validated, plus the settings that found it."""

    settings: Settings
    catalogue: Catalogue
    gazetteer: Gazetteer
    platforms: PlatformsFile
    rules: RulesConfig
    classifier: ClassifierConfig
    forums: tuple[ForumDefinition, ...]

    @property
    def config_dir(self) -> Path:
        return self.settings.config_dir

    @cached_property
    def author_key(self) -> bytes:
        """The key of author hashes (civicwatch/keys.py), read or created on first use only."""
        return author_key(self.settings)

    @cached_property
    def model(self) -> ModelFile | None:
        """The learned model (CIVICWATCH_MODEL_PATH), read on first use; None when the file is absent."""
        return read_model_file(self.settings.model_path)

    def with_model(self, model: ModelFile | None) -> Config:
        """This config with another learned model (None: keyword-only), e.g. a fold's in training."""
        other = replace(self)
        other.__dict__["model"] = model  # what the cached property would hold, set ahead
        return other

    def with_scoring(self, **changes: Any) -> Config:
        """This config with other scoring knobs, e.g. `with_scoring(lead_threshold=1.5)` (evaluate)."""
        scoring = Scoring.model_validate({**self.classifier.scoring.model_dump(), **changes})
        other = replace(self, classifier=self.classifier.model_copy(update={"scoring": scoring}))
        if "model" in self.__dict__:  # a model set by with_model stays
            other.__dict__["model"] = self.__dict__["model"]
        return other


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
    catalogue = load_catalogue(d / "catalogue.yaml")
    rules = d / "rules.yaml"
    return Config(
        settings=settings,
        catalogue=catalogue,
        gazetteer=load_gazetteer(d / "gazetteer.yaml"),
        platforms=load_platforms(d / "platforms.yaml"),
        rules=load_rules(rules) if rules.exists() else RulesConfig(),  # no rules file: no rules
        classifier=load_classifier(d / "classifier.yaml", catalogue),
        forums=tuple(load_forums(d / "forums")),
    )

"""Console users in MongoDB (`users` collection): argon2 password hashes and one role each.

Roles, weakest first: viewer (reads), verifier (verifies, rejects, merges, reopens), admin.
Each user also holds the hashes of their open console sessions: a signed cookie is only good
while its session id is listed, so log-out, a password change or disabling ends it server-side.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from civicwatch.clock import now_shanghai
from civicwatch.exceptions import UserError

Role = Literal["viewer", "verifier", "admin"]
ROLES: tuple[str, ...] = ("viewer", "verifier", "admin")
MIN_PASSWORD_CHARS = 8
# Open sessions kept per user (the newest); signing in on one more device ends the oldest.
MAX_SESSIONS = 16

_hasher = PasswordHasher()


def _token_hash(token: str) -> str:
    # Tokens are long random strings: a plain digest is enough, and it can be looked up.
    return hashlib.sha256(token.encode()).hexdigest()

# Verifying against this keeps "no such user" as slow as "wrong password" (no name probing by timing).
_DUMMY_HASH = _hasher.hash("civicwatch-no-such-user")


class User(BaseModel):
    name: str = Field(alias="_id")
    role: Role
    password_hash: str
    created_at: datetime  # naive UTC when the client is not tz_aware
    disabled: bool = False
    sessions: list[str] = Field(default_factory=list, description="hashes of open session ids")

    model_config = {"populate_by_name": True}

    def can(self, role: str) -> bool:
        """True when this user's role is `role` or stronger."""
        return not self.disabled and ROLES.index(self.role) >= ROLES.index(role)

    def has_session(self, session_id: str) -> bool:
        return bool(session_id) and _token_hash(session_id) in self.sessions


class UserStore:
    """Reads and writes console users; takes the Store's pymongo database."""

    def __init__(self, db: Database[Any]) -> None:
        self.users = db["users"]

    @classmethod
    def from_store(cls, store: Any) -> UserStore:
        return cls(store.db)

    def add(self, name: str, role: str, password: str, *, replace: bool = False,
            now: datetime | None = None) -> User:
        """A new user; with `replace` (the way a password is changed) the old record, its open
        sessions and API token included, is overwritten."""
        name = name.strip()
        if not name:
            raise UserError("user name is empty")
        if role not in ROLES:
            raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD_CHARS:
            raise UserError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
        user = User(_id=name, role=role, password_hash=_hasher.hash(password),
                    created_at=now or now_shanghai())
        doc = user.model_dump(by_alias=True)
        if replace:
            self.users.replace_one({"_id": name}, doc, upsert=True)
        else:
            try:
                self.users.insert_one(doc)
            except DuplicateKeyError:
                raise UserError(f"user {name!r} already exists (use --replace to change it)") from None
        return user

    def get(self, name: str) -> User | None:
        doc = self.users.find_one({"_id": name})
        return User.model_validate(doc) if doc else None

    def all(self) -> list[User]:
        return [User.model_validate(d) for d in self.users.find({}).sort("_id", 1)]

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when name and password match and the account is enabled, else None."""
        user = self.get(name)
        try:
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or user.disabled:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            self.users.update_one({"_id": name}, {"$set": {"password_hash": _hasher.hash(password)}})
        return user

    def issue_token(self, name: str) -> str:
        """A new API token for the user (the old one stops working); only its hash is stored."""
        token = secrets.token_urlsafe(32)
        if self.users.update_one({"_id": name}, {"$set": {"token_hash": _token_hash(token)}}).matched_count == 0:
            raise UserError(f"no user {name!r}")
        return token

    def by_token(self, token: str) -> User | None:
        doc = self.users.find_one({"token_hash": _token_hash(token)}) if token else None
        user = User.model_validate(doc) if doc else None
        return user if user and not user.disabled else None

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disabling also ends every open session, so re-enabling does not revive old cookies."""
        change: dict[str, Any] = {"disabled": disabled}
        if disabled:
            change["sessions"] = []
        if self.users.update_one({"_id": name}, {"$set": change}).matched_count == 0:
            raise UserError(f"no user {name!r}")

    def open_session(self, name: str) -> str:
        """A new session id for the user, listed (hashed) until closed or pushed out."""
        session_id = secrets.token_urlsafe(24)
        self.users.update_one({"_id": name}, {"$push": {"sessions": {
            "$each": [_token_hash(session_id)], "$slice": -MAX_SESSIONS}}})
        return session_id

    def close_session(self, name: str, session_id: str) -> None:
        self.users.update_one({"_id": name}, {"$pull": {"sessions": _token_hash(session_id)}})

    # --- used by the console's admin page (review/views/admin.py) --------------------------

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if self.users.update_one({"_id": name}, {"$set": {"role": role}}).matched_count == 0:
            raise UserError(f"no user {name!r}")

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_CHARS:
            raise UserError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
        if self.users.update_one({"_id": name}, {"$set": {"password_hash": _hasher.hash(password)}}).matched_count == 0:
            raise UserError(f"no user {name!r}")

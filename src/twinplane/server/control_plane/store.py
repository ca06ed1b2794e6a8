"""All SQL of the control plane. Services call these methods; nothing else builds queries.

Each method is one short transaction. Rows come back as plain dicts. Get-or-create runs as
select, then insert, then (on a unique-constraint race) select again, each in its own
transaction, so neither engine needs savepoints.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from twinplane.server.common.errors import Conflict, NotFound
from twinplane.server.control_plane import cursor as cursors
from twinplane.server.control_plane.tables import (
    api_keys,
    data_planes,
    identities,
    members,
    objects,
    orgs,
    projects,
    secrets,
    sessions,
    users,
)

__all__ = ["ControlStore", "Page", "now", "new_id"]

Row = dict[str, Any]
Page = tuple[list[Row], str | None]


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class ControlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def _one(self, stmt: Any) -> Row | None:
        with self._tx() as conn:
            row = conn.execute(stmt).mappings().first()
            return dict(row) if row else None

    def _page(self, stmt: Any, created_col: Any, id_col: Any, limit: int, cursor: str | None) -> Page:
        if cursor:
            when, last_id = cursors.decode(cursor)
            stmt = stmt.where(or_(created_col < when, and_(created_col == when, id_col < last_id)))
        stmt = stmt.order_by(created_col.desc(), id_col.desc()).limit(limit + 1)
        with self._tx() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = cursors.encode(rows[-1]["created"], rows[-1]["id"]) if more else None
        return rows, nxt

    def ping(self) -> None:
        with self._tx() as conn:
            conn.execute(text("SELECT 1"))

    # users, identities, sessions -------------------------------------------------------

    def create_user(self, email: str, name: str, password_hash: str | None) -> Row:
        row = {"id": new_id(), "email": email, "name": name, "password_hash": password_hash, "created": now()}
        try:
            with self._tx() as conn:
                conn.execute(insert(users).values(**row))
        except IntegrityError:
            raise Conflict(f"a user with email {email} already exists") from None
        return row

    def get_user(self, user_id: str) -> Row | None:
        return self._one(select(users).where(users.c.id == user_id))

    def get_user_by_email(self, email: str) -> Row | None:
        return self._one(select(users).where(users.c.email == email))

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        with self._tx() as conn:
            conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))

    def get_identity(self, issuer: str, subject: str) -> Row | None:
        return self._one(select(identities).where(identities.c.issuer == issuer, identities.c.subject == subject))

    def link_identity(self, user_id: str, issuer: str, subject: str) -> None:
        with self._tx() as conn:
            conn.execute(insert(identities).values(id=new_id(), user_id=user_id, issuer=issuer,
                                                   subject=subject, created=now()))

    def create_session(self, id_hash: str, user_id: str, ttl: timedelta) -> None:
        t = now()
        with self._tx() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at < t))
            conn.execute(insert(sessions).values(id_hash=id_hash, user_id=user_id, created=t, expires_at=t + ttl))

    def get_session_user(self, id_hash: str) -> Row | None:
        stmt = (select(users).join(sessions, sessions.c.user_id == users.c.id)
                .where(sessions.c.id_hash == id_hash, sessions.c.expires_at > now()))
        return self._one(stmt)

    def delete_session(self, id_hash: str) -> None:
        with self._tx() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash))

    # orgs and members ------------------------------------------------------------------

    def create_org(self, name: str, owner_id: str) -> Row:
        row = {"id": new_id(), "name": name, "created": now()}
        try:
            with self._tx() as conn:
                conn.execute(insert(orgs).values(**row))
                conn.execute(insert(members).values(org_id=row["id"], user_id=owner_id, role="owner", created=now()))
        except IntegrityError:
            # org names are unique across tenants: saying which name is taken would confirm another
            # tenant's org name, so the message stays generic
            raise Conflict("that organization name is not available; choose another name") from None
        return row

    def get_org(self, org_id: str) -> Row | None:
        return self._one(select(orgs).where(orgs.c.id == org_id))

    def get_org_by_name(self, name: str) -> Row | None:
        return self._one(select(orgs).where(orgs.c.name == name))

    def list_user_orgs(self, user_id: str, limit: int, cursor: str | None, *, org_id: str | None = None) -> Page:
        stmt = (select(orgs.c.id, orgs.c.name, orgs.c.created, members.c.role)
                .join(members, members.c.org_id == orgs.c.id).where(members.c.user_id == user_id))
        if org_id is not None:
            stmt = stmt.where(orgs.c.id == org_id)
        return self._page(stmt, orgs.c.created, orgs.c.id, limit, cursor)

    def get_role(self, org_id: str, user_id: str) -> str | None:
        row = self._one(select(members.c.role).where(members.c.org_id == org_id, members.c.user_id == user_id))
        return row["role"] if row else None

    def list_members(self, org_id: str, limit: int, cursor: str | None) -> Page:
        stmt = (select(users.c.id, users.c.email, users.c.name, members.c.role, members.c.created)
                .join(members, members.c.user_id == users.c.id).where(members.c.org_id == org_id))
        return self._page(stmt, members.c.created, users.c.id, limit, cursor)

    def add_member(self, org_id: str, user_id: str, role: str) -> None:
        try:
            with self._tx() as conn:
                conn.execute(insert(members).values(org_id=org_id, user_id=user_id, role=role, created=now()))
        except IntegrityError:
            raise Conflict("that user is already a member of this organization") from None

    def set_role(self, org_id: str, user_id: str, role: str) -> None:
        with self._tx() as conn:
            conn.execute(update(members).where(members.c.org_id == org_id, members.c.user_id == user_id)
                         .values(role=role))

    def remove_member(self, org_id: str, user_id: str) -> None:
        with self._tx() as conn:
            conn.execute(delete(members).where(members.c.org_id == org_id, members.c.user_id == user_id))

    def count_owners(self, org_id: str) -> int:
        with self._tx() as conn:
            return int(conn.execute(select(func.count()).select_from(members)
                                    .where(members.c.org_id == org_id, members.c.role == "owner")).scalar_one())

    # projects --------------------------------------------------------------------------

    def get_or_create_project(self, org_id: str, name: str) -> tuple[Row, bool]:
        find = select(projects).where(projects.c.org_id == org_id, projects.c.name == name)
        found = self._one(find)
        if found:
            return found, False
        row = {"id": new_id(), "org_id": org_id, "name": name, "settings": {}, "created": now()}
        try:
            with self._tx() as conn:
                conn.execute(insert(projects).values(**row))
            return row, True
        except IntegrityError:
            found = self._one(find)
            if found:
                return found, False
            raise

    def get_project(self, org_id: str, project_id: str) -> Row | None:
        return self._one(select(projects).where(projects.c.org_id == org_id, projects.c.id == project_id))

    def get_project_by_id(self, project_id: str) -> Row | None:
        """Any org's project: callers must check the caller's access before using it."""
        return self._one(select(projects).where(projects.c.id == project_id))

    def list_projects(self, org_id: str, limit: int, cursor: str | None, *, name: str | None = None,
                      project_id: str | None = None) -> Page:
        stmt = select(projects).where(projects.c.org_id == org_id)
        if name is not None:
            stmt = stmt.where(projects.c.name == name)
        if project_id is not None:
            stmt = stmt.where(projects.c.id == project_id)
        return self._page(stmt, projects.c.created, projects.c.id, limit, cursor)

    def update_project(self, org_id: str, project_id: str, values: Row) -> Row:
        try:
            with self._tx() as conn:
                res = conn.execute(update(projects).where(projects.c.org_id == org_id, projects.c.id == project_id)
                                   .values(**values))
        except IntegrityError:
            raise Conflict("a project with that name already exists in this organization") from None
        if res.rowcount == 0:
            raise NotFound("project not found")
        row = self.get_project(org_id, project_id)
        assert row is not None
        return row

    def delete_project(self, org_id: str, project_id: str) -> bool:
        with self._tx() as conn:
            return conn.execute(delete(projects).where(projects.c.org_id == org_id, projects.c.id == project_id)
                                ).rowcount > 0

    # object names ----------------------------------------------------------------------

    def find_object(self, project_id: str, object_type: str, unique_key: str) -> Row | None:
        return self._one(select(objects).where(objects.c.project_id == project_id,
                                               objects.c.object_type == object_type,
                                               objects.c.unique_key == unique_key))

    def insert_object(self, row: Row) -> bool:
        """Insert ``row``; False when its (project, type, unique key) is taken."""
        try:
            with self._tx() as conn:
                conn.execute(insert(objects).values(**row))
            return True
        except IntegrityError:
            return False

    def taken_keys_with_prefix(self, project_id: str, object_type: str, prefix: str) -> list[str]:
        stmt = select(objects.c.unique_key).where(objects.c.project_id == project_id,
                                                  objects.c.object_type == object_type,
                                                  objects.c.unique_key.startswith(prefix, autoescape=True))
        with self._tx() as conn:
            return list(conn.execute(stmt).scalars())

    def get_object(self, org_id: str, object_id: str) -> Row | None:
        return self._one(select(objects).where(objects.c.org_id == org_id, objects.c.id == object_id))

    def list_objects(self, org_id: str, limit: int, cursor: str | None, **filters: str | None) -> Page:
        stmt = select(objects).where(objects.c.org_id == org_id)
        for col in ("object_type", "project_id", "name", "slug", "id"):
            if filters.get(col) is not None:
                stmt = stmt.where(objects.c[col] == filters[col])
        return self._page(stmt, objects.c.created, objects.c.id, limit, cursor)

    def delete_object(self, org_id: str, object_id: str) -> bool:
        with self._tx() as conn:
            return conn.execute(delete(objects).where(objects.c.org_id == org_id, objects.c.id == object_id)
                                ).rowcount > 0

    # API keys --------------------------------------------------------------------------

    def insert_api_key(self, row: Row) -> None:
        with self._tx() as conn:
            conn.execute(insert(api_keys).values(**row))

    def get_api_key_by_lookup(self, lookup: str) -> Row | None:
        return self._one(select(api_keys).where(api_keys.c.lookup == lookup))

    def list_api_keys(self, org_id: str, limit: int, cursor: str | None, *, user_id: str | None = None,
                      project_id: str | None = None) -> Page:
        stmt = (select(api_keys, users.c.email.label("created_by_email"))
                .join(users, users.c.id == api_keys.c.user_id).where(api_keys.c.org_id == org_id))
        if user_id is not None:
            stmt = stmt.where(api_keys.c.user_id == user_id)
        if project_id is not None:
            stmt = stmt.where(api_keys.c.project_id == project_id)
        return self._page(stmt, api_keys.c.created, api_keys.c.id, limit, cursor)

    def get_api_key(self, org_id: str, key_id: str) -> Row | None:
        return self._one(select(api_keys).where(api_keys.c.org_id == org_id, api_keys.c.id == key_id))

    def revoke_api_key(self, org_id: str, key_id: str) -> None:
        with self._tx() as conn:
            conn.execute(update(api_keys).where(api_keys.c.org_id == org_id, api_keys.c.id == key_id,
                                                api_keys.c.revoked_at.is_(None)).values(revoked_at=now()))

    def touch_api_key(self, key_id: str, when: datetime, older_than: datetime) -> None:
        """Record use, at most once per interval: the WHERE keeps this a no-op most of the time."""
        with self._tx() as conn:
            conn.execute(update(api_keys).where(api_keys.c.id == key_id, or_(api_keys.c.last_used.is_(None),
                                                api_keys.c.last_used < older_than)).values(last_used=when))

    # provider secrets ------------------------------------------------------------------

    def upsert_secret(self, row: Row) -> Row:
        """Insert, or replace the value of the org's secret of the same name (keeping its id)."""
        existing = self._one(select(secrets).where(secrets.c.org_id == row["org_id"], secrets.c.name == row["name"]))
        with self._tx() as conn:
            if existing:
                values = {k: v for k, v in row.items() if k not in ("id", "org_id", "created")}
                conn.execute(update(secrets).where(secrets.c.id == existing["id"]).values(**values))
                return {**existing, **values}
            conn.execute(insert(secrets).values(**row))
            return row

    def find_secret(self, org_id: str, *, secret_id: str | None = None, name: str | None = None,
                    provider: str | None = None) -> Row | None:
        stmt = select(secrets).where(secrets.c.org_id == org_id)
        if secret_id is not None:
            stmt = stmt.where(secrets.c.id == secret_id)
        if name is not None:
            stmt = stmt.where(secrets.c.name == name)
        if provider is not None:
            stmt = stmt.where(secrets.c.provider == provider)
        return self._one(stmt.order_by(secrets.c.updated.desc()).limit(1))

    def list_secrets(self, org_id: str, limit: int, cursor: str | None) -> Page:
        stmt = select(secrets).where(secrets.c.org_id == org_id)
        return self._page(stmt, secrets.c.created, secrets.c.id, limit, cursor)

    def all_secrets(self) -> list[Row]:
        with self._tx() as conn:
            return [dict(r) for r in conn.execute(select(secrets)).mappings()]

    def reseal_secret(self, secret_id: str, key_version: str, nonce: bytes, ciphertext: bytes) -> None:
        with self._tx() as conn:
            conn.execute(update(secrets).where(secrets.c.id == secret_id)
                         .values(key_version=key_version, nonce=nonce, ciphertext=ciphertext))

    def delete_secret(self, org_id: str, secret_id: str) -> bool:
        with self._tx() as conn:
            return conn.execute(delete(secrets).where(secrets.c.org_id == org_id, secrets.c.id == secret_id)
                                ).rowcount > 0

    # data planes -----------------------------------------------------------------------

    def get_data_plane_of_org(self, org_id: str) -> Row | None:
        return self._one(select(data_planes).where(data_planes.c.org_id == org_id))

    def get_data_plane_by_token_lookup(self, lookup: str) -> Row | None:
        return self._one(select(data_planes).where(data_planes.c.token_lookup == lookup))

    def insert_data_plane(self, row: Row) -> None:
        try:
            with self._tx() as conn:
                conn.execute(insert(data_planes).values(**row))
        except IntegrityError:
            raise Conflict("this organization already has a data plane registered") from None

    def update_data_plane(self, org_id: str, values: Row) -> None:
        with self._tx() as conn:
            conn.execute(update(data_planes).where(data_planes.c.org_id == org_id).values(updated=now(), **values))

    def data_plane_urls_of_user(self, user_id: str) -> list[str]:
        stmt = (select(data_planes.c.api_url, data_planes.c.proxy_url)
                .join(members, members.c.org_id == data_planes.c.org_id).where(members.c.user_id == user_id))
        with self._tx() as conn:
            return [u for r in conn.execute(stmt) for u in r if u]

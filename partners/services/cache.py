"""Caches invalidated by a generation number: public member reads (directory, member pages, members API), the
staff queue (counts per state, rendered results) and applications' staff pages.

Every cached response is stored under the current *generation*, a number kept in the shared cache. A change to
anything a public member read shows (memberships, grants, organisations, profiles that carry industries,
districts, industries) goes through a model save or delete inside a transaction; the receivers below then

1. raise a *writing* counter before the commit: while it is above zero, readers neither read nor fill the
   cache, so nobody is served an old page between the commit and step 2;
2. after the commit (``transaction.on_commit``) bump the generation and lower the counter again.

So once a change is committed, no reader is given a response built before it. For public member facts the mark
is scoped like the generations (cache_scopes.py): a transaction raises the writing mark of each scope its rows
touch (the member's page, the lists of its types, district and industries, "all"), so while one member is
written every other member's page and every list it is not in stays cached. A rolled-back transaction never
lowers its counter; the counter then lapses after WRITING_TTL, which is longer than RESPONSE_TTL, so every
response cached before that write has expired by the time the cache is used again.

The cache must be shared by every process (Redis): ``PUBLIC_RESPONSE_CACHE`` is on by default only when
``REDIS_URL`` is set. Bulk queryset updates bypass model signals; a service that runs one on these tables calls
``members_changed()`` itself in the same transaction.

Each cached family has its own generation (a *namespace*): "public" for member facts, "queue" for the staff
queue (its counts per state and its rendered results: applications, their requested types, organisations,
districts, and the people shown as reviewers), "detail" for the rest of what an application's staff page shows
(profiles, attachments, revisions, notes, messages, decisions, objections, the timeline, memberships).
"""

import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from redis.exceptions import RedisError

from registry.redis_cache import shared_cache as cache

log = logging.getLogger(__name__)

PUBLIC = "public"
QUEUE = "queue"
DETAIL = "detail"
RESPONSE_TTL = 300
WRITING_TTL = 2 * RESPONSE_TTL
# Placeholder stored in cached HTML in place of the visitor's CSRF token (same length and alphabet).
CSRF_PLACEHOLDER = "P" * 64
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def enabled() -> bool:
    return bool(getattr(settings, "PUBLIC_RESPONSE_CACHE", False))


# --- writers ------------------------------------------------------------------------------------------


def _keys(ns):
    return f"{ns}-cache:generation", f"{ns}-cache:writing"


def _incr(key, delta, *, generation_key):
    try:
        return cache.incr(key, delta)
    except ValueError:
        # A missing generation restarts from a fresh random number, never from one used before.
        cache.add(key, time.time_ns() if generation_key else 0, timeout=None if generation_key else WRITING_TTL)
        return cache.incr(key, delta)


class _Publish:
    """The on-commit callback that publishes a namespace's change. It remembers having run, which writing marks
    the transaction raised (the namespace's, or for PUBLIC only those of the scopes it touched) and, for PUBLIC,
    the scopes to renew: None once any change reached beyond what scopes can name."""

    def __init__(self, ns):
        self.ns = ns
        self.done = False
        self.scopes = set()
        self.marked_namespace = False
        self.marked_scopes = set()
        self.noted = set()  # PUBLIC: memberships whose scopes are noted as the transaction has them now

    def touch(self, scopes):
        if scopes is None or self.scopes is None:
            self.scopes = None
        else:
            self.scopes |= scopes

    def __call__(self):
        self.done = True
        end_change(self.ns, scopes=self.scopes if self.ns == PUBLIC else None,
                   marked_namespace=self.marked_namespace, marked_scopes=self.marked_scopes)


def _pending(ns):
    """This transaction's publication of `ns`, not run yet, or None."""
    for _sids, func, _robust in connection.run_on_commit:
        if isinstance(func, _Publish) and func.ns == ns and not func.done:
            return func
    return None


def _already_announced(ns) -> bool:
    """Whether this transaction marked `ns` as being written already and still waits to publish it.

    A transaction saves many watched rows (a submission: the application, its types, a revision, audit events);
    one mark and one publication per namespace cover them all. A rolled-back savepoint or transaction drops its
    pending callbacks, and with them the answer, so the next save announces itself again."""
    return _pending(ns) is not None


def _raise_mark(key) -> bool:
    client = _redis()
    if client is not None:
        return _raise_marks_at_once(client, [key])
    try:
        _incr(key, 1, generation_key=False)
        cache.touch(key, WRITING_TTL)
        return True
    except Exception:  # a cache outage must not stop a change
        log.warning("Response cache: could not mark a change as in progress")
        return False


# With Redis, a writer's counting takes one round trip per step (the marks of a save, the publication of a
# commit) instead of two or three per key through the cache's calls: the same counts, kept atomically.
def _redis():
    """The shared cache's Redis client, or None: with another backend (local memory) or while Redis is left
    alone after a failure, every key goes through the cache's own calls, as before."""
    client_of = getattr(cache, "redis_client", None)
    return client_of() if client_of is not None else None


def _raise_marks_at_once(client, keys) -> bool:
    """_raise_mark() of every key in one transaction: +1, and WRITING_TTL to live."""
    try:
        pipe = client.pipeline(transaction=True)
        for key in keys:
            made = cache.make_and_validate_key(key)
            pipe.incr(made)
            pipe.expire(made, WRITING_TTL)
        pipe.execute()
        return True
    except RedisError:
        cache.redis_failed()
        log.warning("Response cache: could not mark a change as in progress")
        return False


# The publication of a commit: each generation +1 (a missing one restarts from the fresh number ARGV[1], never
# from one used before), then each writing mark -1 unless it lapsed already.
_PUBLISH_LUA = """
local generations = tonumber(ARGV[2])
for i = 1, generations do
  redis.call('SET', KEYS[i], ARGV[1], 'NX')
  redis.call('INCR', KEYS[i])
end
for i = generations + 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECR', KEYS[i]) end
end
return #KEYS
"""
_scripts = {}


def _publish_at_once(client, generation_keys, marks) -> bool:
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_PUBLISH_LUA)
    try:
        script(keys=[cache.make_and_validate_key(k) for k in (*generation_keys, *marks)],
               args=[time.time_ns(), len(generation_keys)])
        return True
    except RedisError:
        cache.redis_failed()
        log.warning("Response cache: could not publish a change")
        return False


def begin_change(ns=PUBLIC, scoped=False):
    """Called before a change is written: readers bypass the cache until the commit is published.

    Unscoped, every read of the namespace bypasses it. `scoped` (PUBLIC, inside a transaction) only opens the
    transaction's publication: the receivers then mark the scopes each row touches (`_mark`), so while one
    member is written only the reads that show it bypass the cache."""
    if not enabled():
        return
    publish = _pending(ns) if connection.in_atomic_block else None
    if publish is not None:
        if not scoped and not publish.marked_namespace:
            if not _raise_mark(_keys(ns)[1]):
                _forget(ns)
                return
            publish.marked_namespace = True
        return
    if connection.in_atomic_block:
        publish = _Publish(ns)
    if not (scoped and publish is not None):
        if not _raise_mark(_keys(ns)[1]):
            _forget(ns)
            return
        if publish is not None:
            publish.marked_namespace = True
    if publish is not None:
        transaction.on_commit(publish, robust=True)


def _scope_writing_key(scope):
    return f"{PUBLIC}-cache:scope-writing:{scope}"


def _mark(publish, scopes):
    """Mark `scopes` (None: every public read) as being written by the transaction of `publish`, once each."""
    if scopes is None:
        if not publish.marked_namespace:
            if _raise_mark(_keys(PUBLIC)[1]):
                publish.marked_namespace = True
            else:
                _forget(PUBLIC)
        return
    new = sorted(scopes - publish.marked_scopes)
    client = _redis() if new else None
    if client is not None:
        if _raise_marks_at_once(client, [_scope_writing_key(scope) for scope in new]):
            publish.marked_scopes.update(new)
        else:
            # Unmarked, a reader could fill the scopes' cache from the old rows after the commit: drop them.
            _forget(PUBLIC)
            _drop_scopes(new)
        return
    for scope in new:
        if _raise_mark(_scope_writing_key(scope)):
            publish.marked_scopes.add(scope)
        else:
            # Unmarked, a reader could fill the scope's cache from the old rows after the commit: drop it.
            _forget(PUBLIC)
            _drop_scopes([scope])


def _drop_scopes(scopes):
    try:
        cache.delete_many([_scope_key(s) for s in scopes])
    except Exception:
        log.exception("Response cache: could not drop a generation")


def _scope_key(scope):
    return f"{PUBLIC}-cache:scope:{scope}"


def end_change(ns=PUBLIC, scopes=None, marked_namespace=True, marked_scopes=()):
    """Called once the change is committed: a new generation (of the namespace, or only of the given scopes of
    PUBLIC), then the writing marks the change raised go down."""
    if not enabled():
        return
    gen, writing = _keys(ns)
    client = _redis()
    if client is not None:
        generation_keys = [gen] if scopes is None else [_scope_key(scope) for scope in sorted(scopes)]
        marks = ([writing] if marked_namespace else []) + [_scope_writing_key(s) for s in sorted(marked_scopes)]
        if not _publish_at_once(client, generation_keys, marks):
            _forget(ns)
        return
    try:
        if scopes is None:
            _incr(gen, 1, generation_key=True)
        else:
            for scope in sorted(scopes):
                _incr(_scope_key(scope), 1, generation_key=True)
    except Exception:
        log.warning("Response cache: could not publish a change")
        _forget(ns)
        return
    marks = ([writing] if marked_namespace else []) + [_scope_writing_key(s) for s in sorted(marked_scopes)]
    for mark in marks:
        try:
            cache.decr(mark, 1)
        except ValueError:
            pass  # the counter lapsed already
        except Exception:
            log.warning("Response cache: could not publish a change")
            _forget(ns)
            return


def _forget(ns):
    """For a change that could not be announced or published: drop the namespace's generation and writing mark,
    so no response cached before the change is served again. With Redis down, the cache deletes them as soon as
    Redis is back (registry/redis_cache.py); readers meanwhile bypass the cache."""
    try:
        cache.delete_many(_keys(ns))
    except Exception:
        log.exception("Response cache: could not drop a generation")


def members_changed(ns=PUBLIC):
    """For code that changes cached facts with a bulk update (no model signals): call inside the
    transaction, before or after the update. Its reach is not worked out: every read of the namespace renews."""
    begin_change(ns)
    if not connection.in_atomic_block:
        end_change(ns)
        return
    publish = _pending(ns) if enabled() else None
    if publish is not None:
        publish.touch(None)


def _receivers(ns):
    def before(sender, **kwargs):
        begin_change(ns)

    def after(sender, **kwargs):
        # Outside a transaction the save is committed as soon as it returns; inside one, on_commit does it.
        if not connection.in_atomic_block:
            end_change(ns)

    def m2m(sender, action, **kwargs):
        if action.startswith("pre_"):
            begin_change(ns)
        elif not connection.in_atomic_block:
            end_change(ns)

    return before, after, m2m


def _public_receivers():
    """PUBLIC's receivers note the scopes of the row before and after the change (cache_scopes.py); a save
    outside a transaction, or a change scopes cannot name, renews the whole namespace.

    Readers only ever see the state before the transaction and the state it commits, so each membership's scopes
    are worked out when the transaction first touches it (before its first change) and again after every save
    that can move it into other scopes; a later row's "before" of a membership already noted is the state noted
    after the previous save, and a save limited to fields no scope depends on (`update_fields`) moves nothing.
    Changes that bypass the signals call members_changed(), which renews everything."""
    from . import cache_scopes

    def note(instance, skip_noted):
        if not enabled():
            return
        publish = _pending(PUBLIC) if connection.in_atomic_block else None
        if publish is not None:
            scopes, ids = cache_scopes.noted(instance, publish.noted if skip_noted else frozenset())
            publish.noted |= ids
            publish.touch(scopes)
            _mark(publish, scopes)

    def before(sender, instance=None, **kwargs):
        begin_change(PUBLIC, scoped=True)
        note(instance, skip_noted=True)

    def after(sender, instance=None, update_fields=None, **kwargs):
        if not connection.in_atomic_block:
            end_change(PUBLIC)
        elif kwargs.get("created") or cache_scopes.moves_scopes(instance, update_fields):
            note(instance, skip_noted=False)  # the row's scopes after the change (a district moved), marked now

    def m2m(sender, action, instance=None, reverse=False, **kwargs):
        if action.startswith("pre_"):
            begin_change(PUBLIC, scoped=True)
        if not connection.in_atomic_block:
            if not action.startswith("pre_"):
                end_change(PUBLIC)
            return
        publish = _pending(PUBLIC) if enabled() else None
        if publish is not None:
            scopes = None if reverse else cache_scopes.of_instance(instance)
            publish.touch(scopes)
            _mark(publish, scopes)

    return before, after, m2m


_RECEIVERS = {ns: _receivers(ns) for ns in (QUEUE, DETAIL)}
_RECEIVERS[PUBLIC] = _public_receivers()
USER_FIELDS_SHOWN = {"display_name", "email", "is_active"}


def _user_change_shown(kwargs):
    # A save that touches nothing the queue shows (a login's last_login) leaves the cache alone.
    fields = kwargs.get("update_fields")
    return fields is None or bool(set(fields) & USER_FIELDS_SHOWN)


def _user_before(sender, **kwargs):
    if _user_change_shown(kwargs):
        _RECEIVERS[QUEUE][0](sender, **kwargs)


def _user_after(sender, **kwargs):
    if _user_change_shown(kwargs):
        _RECEIVERS[QUEUE][1](sender, **kwargs)


def connect():
    """Hook the receivers to every model whose rows a cached answer shows."""
    from ..models import (
        PROFILE_MODELS,
        Application,
        Attachment,
        AuditEvent,
        Decision,
        District,
        Industry,
        InternalNote,
        InvitationCode,
        Membership,
        MembershipGrant,
        ModelProfile,
        Objection,
        Organization,
        Pairing,
        RequestedType,
        ReviewMessage,
        Revision,
        Scenario,
        User,
    )

    watched = {
        # Scenarios show on an application partner's public page with its profile's other facts.
        PUBLIC: (Membership, MembershipGrant, Organization, *PROFILE_MODELS.values(), Scenario, District, Industry,
                 Pairing),
        QUEUE: (Application, RequestedType, Organization, District),
        # What an application's staff page shows beyond the queue's rows (read together with QUEUE).
        DETAIL: (Attachment, Revision, AuditEvent, InternalNote, ReviewMessage, Decision, Objection, Membership,
                 MembershipGrant, InvitationCode, Industry, Scenario, *PROFILE_MODELS.values()),
    }
    for ns, models in watched.items():
        before, after, m2m = _RECEIVERS[ns]
        for model in models:
            uid = f"{ns}-cache-{model._meta.label_lower}"
            pre_save.connect(before, sender=model, dispatch_uid=f"{uid}-pre-save")
            pre_delete.connect(before, sender=model, dispatch_uid=f"{uid}-pre-delete")
            post_save.connect(after, sender=model, dispatch_uid=f"{uid}-post-save")
            post_delete.connect(after, sender=model, dispatch_uid=f"{uid}-post-delete")
    m2m_changed.connect(_RECEIVERS[PUBLIC][2], sender=ModelProfile.industries.through,
                        dispatch_uid="public-cache-model-industries")
    m2m_changed.connect(_RECEIVERS[DETAIL][2], sender=ModelProfile.industries.through,
                        dispatch_uid="detail-cache-model-industries")
    # The queue shows people too: assigned reviewers by name, and the reviewers one may assign to (by role).
    before, after, m2m = _RECEIVERS[QUEUE]
    pre_save.connect(_user_before, sender=User, dispatch_uid="queue-cache-user-pre-save")
    post_save.connect(_user_after, sender=User, dispatch_uid="queue-cache-user-post-save")
    pre_delete.connect(before, sender=User, dispatch_uid="queue-cache-user-pre-delete")
    post_delete.connect(after, sender=User, dispatch_uid="queue-cache-user-post-delete")
    m2m_changed.connect(m2m, sender=User.groups.through, dispatch_uid="queue-cache-user-groups")


# --- readers ------------------------------------------------------------------------------------------


def generation(ns=PUBLIC):
    """The current generation, or None while a change is being written or the cache is off or down."""
    if not enabled():
        return None
    gen_key, writing_key = _keys(ns)
    try:
        values = cache.get_many([gen_key, writing_key])
    except Exception:
        log.exception("Response cache: unreachable")
        return None
    if (values.get(writing_key) or 0) > 0:
        return None
    current = values.get(gen_key)
    if current is None:
        cache.add(gen_key, time.time_ns(), timeout=None)
        return None  # start caching from the next request, once the number is settled
    return current


def scope_generation(scope):
    """The current generation of one PUBLIC scope (cache_scopes.py), or None while unsettled or the cache is off."""
    if not enabled():
        return None
    try:
        return cache.get(_scope_key(scope))
    except Exception:
        log.exception("Response cache: unreachable")
        return None


# A request may read the generation in a round trip it makes to the shared cache anyway (the API's rate limit
# does): `generation_keys()` names what to read, `remember_generation()` keeps what was read for
# `cached_api_read` below, which then asks the cache nothing more on a hit.
PREFETCHED = "_response_cache_generation"


def generation_keys(ns=PUBLIC, scopes=()):
    """The cache keys (as given to Django's cache, before its prefix) of the generation and the writing counter,
    then the generations of the PUBLIC `scopes` the answer depends on, then their writing marks."""
    return [*_keys(ns), *(_scope_key(scope) for scope in scopes), *(_scope_writing_key(s) for s in scopes)]


PREFETCHED_SCOPES = "_response_cache_scope_generations"


def remember_generation(request, gen_value, writing_value, *scope_values, scopes=()):
    """Keep a generation (and the scopes' generations) read along with something else; values are the raw
    cache contents (bytes or None), in the order of `generation_keys(ns, scopes)`."""
    count = len(scopes)
    try:
        writing = int(writing_value or 0)
        gen = int(gen_value) if gen_value is not None else None
        scoped = [int(v) if v is not None else None for v in scope_values[:count]]
        scope_writing = [int(v or 0) for v in scope_values[count:2 * count]]
    except (TypeError, ValueError):
        return  # not a plain number: let generation() read it the usual way
    if gen is None:
        return  # generation() settles a first number
    setattr(request, PREFETCHED, None if writing > 0 else gen)
    if scopes and any(scope_writing):
        setattr(request, PREFETCHED_SCOPES, (tuple(sorted(scopes)), None))  # being written: no cache
    elif scopes and None not in scoped:  # an unsettled scope is settled by _generations() as usual
        by_scope = dict(zip(scopes, scoped, strict=True))
        setattr(request, PREFETCHED_SCOPES,
                (tuple(sorted(scopes)), "-".join(str(by_scope[s]) for s in sorted(scopes))))


def _scope_generations_for(request, scopes):
    """The scopes' generations as one key part, from what the request read along with its rate limit if it
    read exactly these, else from the cache."""
    django_request = getattr(request, "_request", request)
    prefetched = getattr(django_request, PREFETCHED_SCOPES, None)
    if prefetched is not None and prefetched[0] == tuple(sorted(scopes)):
        return prefetched[1]
    return _generations((), scopes)


def _generation_for(request, ns=PUBLIC):
    django_request = getattr(request, "_request", request)
    if ns == PUBLIC and enabled() and hasattr(django_request, PREFETCHED):
        return getattr(django_request, PREFETCHED)
    return generation(ns)


def cached_value(ns, key, build):
    """`build()` once per generation of `ns` (a namespace, or a tuple of them) and key; straight through while a
    change is being written."""
    namespaces = (ns,) if isinstance(ns, str) else tuple(ns)
    gen = _generations(namespaces)
    if gen is None:
        return build()
    full_key = f"{'+'.join(namespaces)}-cache:value:{gen}:{hashlib.sha256(key.encode()).hexdigest()}"
    hit = cache.get(full_key)
    if hit is None:
        hit = build()
        cache.set(full_key, hit, RESPONSE_TTL)
    return hit


def response_key(kind, request, gen) -> str:
    """One entry per generation, address (host, path and query string: pagination links are absolute),
    language and day (grants in force end at midnight without a change to any row)."""
    raw = f"{request.build_absolute_uri()}|{translation.get_language()}|{timezone.localdate().isoformat()}"
    return f"{PUBLIC}-cache:{kind}:{gen}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _anonymous(request) -> bool:
    # Without a session cookie the visitor is anonymous without asking the database; pending messages live
    # in a cookie or the session, so a page with a message is never served from or stored in the cache.
    return (request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES)


class _LocalCopies:
    """The last answers this process served, by full key (generation included, so never stale): a hit then
    costs one round trip to the shared cache (the generation) instead of two. An entry may carry an expiry
    (those filled from a read replica, below)."""

    def __init__(self, size=256):
        self.size = size
        self.items = OrderedDict()
        self.lock = threading.Lock()  # threaded servers (runserver, gthread workers) share it

    def get(self, key):
        with self.lock:
            item = self.items.get(key)
            if item is None:
                return None
            value, expires = item
            if expires is not None and expires <= time.monotonic():
                del self.items[key]
                return None
            self.items.move_to_end(key)
            return value

    def set(self, key, value, ttl=None):
        with self.lock:
            self.items[key] = (value, None if ttl is None else time.monotonic() + ttl)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_local = _LocalCopies()


def _get(key):
    value = _local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            # A copy of an entry filled from a replica outlives its shared original by at most this long.
            _local.set(key, value, ttl=_replica_fill_ttl() if _is_replica_fill(key) else None)
    return value


def _replica_fill_ttl():
    return settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS


def _is_replica_fill(key):
    return cache.get(f"{key}:replica") is not None if settings.DATABASE_REPLICA_URLS else False


def _set(key, value):
    """Store an answer. One rendered from a read replica may predate a write the generation already counts (the
    replica may lag by up to REPLICA_MAX_LAG_SECONDS), so it is kept only for the lag bound plus one health
    check: a stale entry then lasts no longer than the replica's own staleness could."""
    from partners import db_router

    reads = db_router.current()
    if reads is not None and reads.used:
        ttl = _replica_fill_ttl()
        cache.set(f"{key}:replica", 1, ttl)
        cache.set(key, value, ttl)
        _local.set(key, value, ttl=ttl)
        return
    cache.set(key, value, RESPONSE_TTL)
    _local.set(key, value)


def _generations(namespaces, scopes=()):
    """The generations of every namespace (and of PUBLIC's `scopes`) as one key part, read in one round trip,
    or None if any of them is being written or not settled yet."""
    if len(namespaces) == 1 and not scopes:
        gen = generation(namespaces[0])
        return None if gen is None else str(gen)
    if not enabled():
        return None
    scope_keys = [_scope_key(s) for s in sorted(scopes)]
    scope_marks = [_scope_writing_key(s) for s in sorted(scopes)]
    keys = [key for ns in namespaces for key in _keys(ns)] + scope_keys + scope_marks
    try:
        values = cache.get_many(keys)
    except Exception:
        log.exception("Response cache: unreachable")
        return None
    if any((values.get(mark) or 0) > 0 for mark in scope_marks):
        return None  # a change to one of the scopes is being written
    gens = []
    for ns in namespaces:
        gen_key, writing_key = _keys(ns)
        if (values.get(writing_key) or 0) > 0:
            return None
        if values.get(gen_key) is None:
            cache.add(gen_key, time.time_ns(), timeout=None)  # as in generation(): start from the next request
        gens.append(values.get(gen_key))
    for key in scope_keys:
        value = values.get(key)
        if value is None:
            # A scope never written (or lost): a fresh number, never one used before, so no answer kept under an
            # earlier number of the scope can match; a concurrent reader may have settled it first.
            stamp = time.time_ns()
            value = stamp if cache.add(key, stamp, timeout=None) else cache.get(key)
        gens.append(value)
    return None if None in gens else "-".join(map(str, gens))


# Public pages may be kept by the visitor's browser and revalidated (ETag, If-None-Match → 304), never by a
# shared proxy: each carries the visitor's own CSRF token (the language switch). The ETag hashes the page with
# the token taken out, so it is the same for every visitor and changes with the page.
PAGE_CACHE_CONTROL = "private, no-cache"


def _etag(body: str) -> str:
    return 'W/"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def _not_modified(request, etag):
    from ..api.mixins import none_match

    if request.method in ("GET", "HEAD") and none_match(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        response["Cache-Control"] = PAGE_CACHE_CONTROL
        return response
    return None


def _validated(request, response, stable_body):
    """`response` with its ETag and Cache-Control, or a 304 when the visitor has this version already."""
    etag = _etag(stable_body)
    not_modified = _not_modified(request, etag)
    if not_modified is not None:
        return not_modified
    response["ETag"] = etag
    response["Cache-Control"] = PAGE_CACHE_CONTROL
    return response


# --- bounded stale-while-revalidate for lists --------------------------------------------------------------
# Every member write renews "all" (home, unfiltered lists, name searches, statistics) and the lists filtered by
# the member's type, district and industries: under a steady stream of writes those pages would be rebuilt on
# nearly every read. Anonymous readers of a list may instead be answered from the latest copy built within
# PUBLIC_LIST_STALE_SECONDS, timed from the start of the request that built it (before its first query), so an
# answer never lags a commit by more than the bound. A member's own page and API detail ("member:" scopes)
# never lag: whoever just changed a member reads it back at once. Copies built from a read replica are never
# kept as "latest": the replica's own lag would add to the bound.


def _clock() -> float:
    return time.time()


def _stale_allowed(namespaces, scopes) -> bool:
    scopes = list(scopes)
    return (enabled() and PUBLIC in namespaces and bool(scopes)
            and not any(scope.startswith("member:") for scope in scopes)
            and getattr(settings, "PUBLIC_LIST_STALE_SECONDS", 0) > 0)


def _latest_key(kind, request):
    return response_key(kind, request, "latest")


def _latest(kind, request):
    """The latest copy of this answer if it was built within the bound, else None."""
    try:
        item = cache.get(_latest_key(kind, request))
    except Exception:
        return None
    if not item:
        return None
    began, payload = item
    if _clock() - began > settings.PUBLIC_LIST_STALE_SECONDS:
        return None
    return payload


def _keep_latest(kind, request, began, payload):
    from partners import db_router

    reads = db_router.current()
    if reads is not None and reads.used:
        return
    try:
        cache.set(_latest_key(kind, request), (began, payload), max(1, int(settings.PUBLIC_LIST_STALE_SECONDS) + 1))
    except Exception:
        log.warning("Response cache: could not keep the latest copy")


def cached_page(view=None, *, also=(), scopes=None):
    """Cache a public HTML page for anonymous visitors; each visitor still gets their own CSRF token.

    The page depends on public member facts; `also` names further namespaces it shows (the home page shows
    applications in public notice and counts of applications: QUEUE); `scopes(request, *args, **kwargs)` names
    the PUBLIC scopes it depends on (cache_scopes.py; default "all"), so a change elsewhere keeps it cached."""
    if view is None:
        return lambda v: cached_page(v, also=also, scopes=scopes)
    namespaces = (PUBLIC, *also)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        anonymous = _anonymous(request)
        wanted = scopes(request, *args, **kwargs) if scopes else ["all"]
        gen = _generations(namespaces, wanted) if anonymous else None
        key = response_key("page", request, gen) if gen is not None else None
        hit = _get(key) if key else None
        stale_ok = anonymous and _stale_allowed(namespaces, wanted)
        if hit is None and stale_ok:
            hit = _latest("page", request)
        if hit is not None:
            status, content_type, body = hit
            response = HttpResponse(body, status=status, content_type=content_type)
            response = _validated(request, response, body)
            if response.status_code != 304 and CSRF_PLACEHOLDER in body:
                response.content = body.replace(CSRF_PLACEHOLDER, get_token(request))
            return response
        began = _clock()
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 404) and not response.streaming and not response.cookies.keys() - {
                settings.CSRF_COOKIE_NAME}:
            body = response.content.decode(response.charset)
            match = _CSRF_FIELD.search(body)
            if match:
                body = body.replace(match.group(1), CSRF_PLACEHOLDER)
            if key:
                _set(key, (response.status_code, response["Content-Type"], body))
            if stale_ok:
                _keep_latest("page", request, began, (response.status_code, response["Content-Type"], body))
            if anonymous and response.status_code == 200:
                response = _validated(request, response, body)
        return response

    return wrapped


def _prerendered_response(body):
    """A DRF response whose plain-JSON rendering is ``body`` already; any other rendering (the browsable API,
    an indented JSON) decodes the body and renders it as usual."""
    import json

    from rest_framework.response import Response

    class Prerendered(Response):
        @property
        def rendered_content(self):
            if self.accepted_renderer.format == "json" and self.accepted_media_type == "application/json":
                self["Content-Type"] = "application/json"
                return body
            self.data = json.loads(body)
            return super().rendered_content

    response = Prerendered()
    response.prerendered = body  # ETagMixin hashes these bytes instead of rendering again
    return response


def _api_read(self, method, request, anonymous, *args, **kwargs):
    """The method's answer, from the cache for an anonymous reader when the namespace and scopes allow."""
    from rest_framework.renderers import JSONRenderer

    scopes = self.cache_scopes(request, *args, **kwargs) if hasattr(self, "cache_scopes") else ["all"]
    gen = _generation_for(request) if anonymous else None
    if gen is not None:
        scoped = _scope_generations_for(request, scopes)
        gen = None if scoped is None else f"{gen}-{scoped}"
    kind = f"api-json-{method.__name__}"
    stale_ok = anonymous and _stale_allowed((PUBLIC,), scopes)
    key = response_key(kind, request, gen) if gen is not None else None
    hit = _get(key) if key else None
    if hit is None and stale_ok:
        hit = _latest(kind, request)
    if hit is not None:
        return _prerendered_response(hit)
    began = _clock()
    response = method(self, request, *args, **kwargs)
    if response.status_code == 200 and (key or stale_ok):
        body = JSONRenderer().render(response.data)
        if key:
            _set(key, body)
        if stale_ok:
            _keep_latest(kind, request, began, body)
    return response


def cached_api_read(method):
    """For a DRF list or retrieve method of public data: anonymous answers come from the cache.

    The answer is cached as its plain JSON bytes (rendered once, when it is stored), and the method runs after
    authentication, permissions and throttling, so each reader still gets their own content negotiation, ETag
    and headers."""

    @wraps(method)
    def wrapped(self, request, *args, **kwargs):
        anonymous = request.auth is None and not request.user.is_authenticated
        response = _api_read(self, method, request, anonymous, *args, **kwargs)
        # A shared proxy may keep an anonymous answer and must revalidate it (detail reads carry an ETag); a
        # key's answers are the key holder's.
        response["Cache-Control"] = "public, no-cache" if anonymous else "private, no-cache"
        return response

    return wrapped

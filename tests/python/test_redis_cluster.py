"""RedisStore on a real Redis Cluster (docs/lifecycle.md, "Sentinel, Cluster,
persistence"): three masters started here on free 127.0.0.1 ports
(`--cluster-enabled yes`, no persistence, no replicas), joined with
`redis-cli --cluster create`, all stopped at the end.

What works: a hash-tag prefix ("{cjwt}:") puts every key of the store,
the feed stream and its horizon in one slot, so on one shard; the store
then works through a plain redis.Redis connected to that shard's node and
(without replica=True) through redis.cluster.RedisCluster; a replica
(replica=True) on the shard's node follows revocations made by another
store. What does not: without a hash tag the revocation script fails
(CROSSSLOT) and lookups of keys on another shard fail (MOVED) - as Redis
errors, so cjwt.decode refuses the token (fail closed), never "not revoked";
replica=True refuses a RedisCluster client at construction, and a replica
on a node that does not own the feed's slot gets MOVED and fails closed."""
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

if not (shutil.which("redis-server") and shutil.which("redis-cli")):
    pytest.skip("redis-server / redis-cli not installed (scripts/install-deps.sh)",
                allow_module_level=True)
redis = pytest.importorskip("redis")
import redis.cluster  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import cjwt  # noqa: E402
from redis_procs import RedisProc, free_port  # noqa: E402

ISS, AUD = "https://auth.example.com", "api.example.com"
KEY = cjwt.Key.generate("ES256", kid="auth-1")
PUB = cjwt.Key.from_jwk(KEY.to_jwk())


class Cluster:
    """Three masters covering all 16384 slots."""

    def __init__(self, n=3, timeout=30):
        self.nodes = []
        try:
            for _ in range(n):
                self.nodes.append(RedisProc(appendonly=False, args=[
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-port", str(free_port()), "--cluster-node-timeout", "2000"]))
            out = subprocess.run(
                ["redis-cli", "--cluster", "create"]
                + [f"127.0.0.1:{p.port}" for p in self.nodes]
                + ["--cluster-replicas", "0", "--cluster-yes"],
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
            assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
            deadline = time.monotonic() + timeout
            for p in self.nodes:
                c = p.client()
                while c.cluster("info").get("cluster_state") != "ok":
                    assert time.monotonic() < deadline, "cluster_state not ok: " + p.log()
                    time.sleep(0.05)
        except BaseException:
            self.close()
            raise

    def node_for(self, key):
        """The RedisProc whose node owns `key`'s slot (CLUSTER KEYSLOT / SLOTS)."""
        c = self.nodes[0].client()
        slot = c.cluster("keyslot", key)
        for start, end, master, *_ in c.execute_command("CLUSTER", "SLOTS"):
            if start <= slot <= end:
                return next(p for p in self.nodes if p.port == int(master[1]))
        raise AssertionError(f"no node owns slot {slot}")

    def cluster_client(self, **kw):
        kw.setdefault("socket_timeout", 2)
        return redis.cluster.RedisCluster(host="127.0.0.1", port=self.nodes[0].port,
                                          decode_responses=True, **kw)

    def close(self):
        for p in self.nodes:
            p.close()


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def tag():
    """A fresh hash-tag prefix per test: every key in one slot."""
    return "{cjwt" + uuid.uuid4().hex[:6] + "}:"


def wait_for(cond, seconds=5.0, what="condition"):
    deadline = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def round_trip(store, client):
    now = time.time()
    assert not store.is_revoked("j1", None)
    store.revoke_jti("j1", now + 60)
    store.revoke_family("f1", now + 600)
    assert store.is_revoked("j1", None)
    assert store.is_revoked("other", "f1")
    assert not store.is_revoked("j2", "f2")
    assert store.mark_used("u1", now + 60) and not store.mark_used("u1", now + 60)
    feed = [f for _, f in client.xrange(store.feed_key)]
    assert feed == [{"k": "jti", "id": "j1", "ttl": "60"},
                    {"k": "fid", "id": "f1", "ttl": "600"}]
    assert client.get(store.horizon_key) == "600"


def test_hash_tag_keys_share_one_slot(cluster, tag):
    s = cjwt.RedisStore(cluster.nodes[0].client(), prefix=tag)
    c = cluster.nodes[0].client()
    slots = {c.cluster("keyslot", k) for k in (
        s.key_jti("a"), s.key_fid("b"), s.key_used("c"), s.feed_key, s.horizon_key)}
    assert len(slots) == 1


def test_plain_client_on_the_owning_node(cluster, tag):
    node = cluster.node_for(tag + "revocations")
    round_trip(cjwt.RedisStore(node.client(), prefix=tag), node.client())


def test_redis_cluster_client(cluster, tag):
    rc = cluster.cluster_client()
    try:
        round_trip(cjwt.RedisStore(rc, prefix=tag), rc)
        # the keys are where a plain client on the owning node sees them
        node = cluster.node_for(tag + "revocations")
        assert node.client().exists(tag + "revoked:jti:j1") == 1
    finally:
        rc.close()


def test_replica_on_the_shard_follows_another_store(cluster, tag):
    node = cluster.node_for(tag + "revocations")
    rc = cluster.cluster_client()
    writer = cjwt.RedisStore(rc, prefix=tag)
    now = time.time()
    writer.revoke_jti("before", now + 60)                 # loaded by the SCAN
    r = cjwt.RedisStore(node.client(), prefix=tag, replica=True, max_lag=1.0)
    try:
        assert r.replica_status()["synced"]
        assert r.is_revoked("before", None)
        writer.revoke_jti("after", now + 60)              # followed on the feed
        writer.revoke_family("fam", now + 60)
        wait_for(lambda: r.is_revoked("after", None) and r.is_revoked("x", "fam"), 5,
                 "replica did not see the revocations")
        assert not r.is_revoked("never", None)
        # and a token revoked through the issuer is refused by decode
        issuer = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD,
                                  store=cjwt.RedisStore(node.client(), prefix=tag))
        pair = issuer.issue("u")
        issuer.revoke(pair.access_token)
        jti = cjwt.decode(pair.access_token, PUB, algorithms=["ES256"], audience=AUD)["jti"]
        wait_for(lambda: r.is_revoked(jti, None), 5, "replica did not see the issuer's revoke")
        with pytest.raises(cjwt.RevokedTokenError):
            cjwt.decode(pair.access_token, PUB, algorithms=["ES256"], audience=AUD,
                        typ="at+jwt", denylist=r)
        assert r.replica_status()["healthy"]
    finally:
        r.close()
        rc.close()


def test_replica_refuses_a_cluster_client(cluster, tag):
    rc = cluster.cluster_client()
    try:
        with pytest.raises(ValueError, match="RedisCluster"):
            cjwt.RedisStore(rc, prefix=tag, replica=True, max_lag=1.0)
    finally:
        rc.close()


def test_replica_on_another_node_fails_closed(cluster, tag):
    owner = cluster.node_for(tag + "revocations")
    other = next(p for p in cluster.nodes if p is not owner)
    r = cjwt.RedisStore(other.client(), prefix=tag, replica=True, max_lag=0.5)
    try:
        time.sleep(0.6)
        with pytest.raises(cjwt.RevocationUnavailableError):   # never "not revoked"
            r.is_revoked("j1", None)
        st = r.replica_status()
        assert not st["healthy"] and not st["synced"], st
        assert str(st["error"]).startswith("MovedError"), st
    finally:
        r.close()


def untagged_prefix(cluster):
    """A prefix without a hash tag whose entry key and feed key are on
    different shards (so the script's keys are in different slots)."""
    for _ in range(1000):
        p = f"u{uuid.uuid4().hex[:8]}:"
        if cluster.node_for(p + "revoked:jti:j1") is not cluster.node_for(p + "revocations"):
            return p
    raise AssertionError("no untagged prefix spanning two shards")


def test_without_a_hash_tag_revocation_fails_loudly(cluster):
    p = untagged_prefix(cluster)
    node = cluster.node_for(p + "revocations")
    s = cjwt.RedisStore(node.client(), prefix=p)
    with pytest.raises(redis.exceptions.ClusterCrossSlotError):   # a ResponseError
        s.revoke_jti("j1", time.time() + 60)
    rc = cluster.cluster_client()
    try:
        # redis-py refuses before sending (RedisClusterException is no RedisError)
        with pytest.raises(redis.exceptions.RedisClusterException, match="same key slot"):
            cjwt.RedisStore(rc, prefix=p).revoke_jti("j1", time.time() + 60)
    finally:
        rc.close()
    assert node.client().exists(p + "revocations") == 0   # nothing half-written


def test_without_a_hash_tag_a_lookup_on_the_wrong_node_fails_closed(cluster):
    p = untagged_prefix(cluster)
    wrong = cluster.node_for(p + "revocations")            # not the jti key's node
    s = cjwt.RedisStore(wrong.client(), prefix=p)
    with pytest.raises(redis.exceptions.MovedError):
        s.is_revoked("j1", None)
    issuer = cjwt.TokenIssuer(KEY, issuer=ISS, audience=AUD, store=cjwt.MemoryStore())
    for _ in range(100):                                   # a token whose jti is elsewhere
        token = issuer.issue("u").access_token
        jti = cjwt.decode(token, PUB, algorithms=["ES256"], audience=AUD)["jti"]
        if cluster.node_for(s.key_jti(jti)) is not wrong:
            break
    # the token's jti and fid keys: different slots (CROSSSLOT) or another node (MOVED)
    with pytest.raises(cjwt.RevocationUnavailableError) as e:   # refused, not "not revoked"
        cjwt.decode(token, PUB, algorithms=["ES256"], audience=AUD, typ="at+jwt",
                    denylist=s)
    assert isinstance(e.value.__cause__, (redis.exceptions.ClusterCrossSlotError,
                                          redis.exceptions.MovedError)), e.value.__cause__

"""The PostgreSQL triggers that keep partners_tally (models/tally.py) in step with the rows it counts.

Keys join their parts with "|": "app" state|district, "apptype" state|type|district, "member" state|district,
"grant" type, "month" YYYY-MM (local time). A missing district is the empty string.

`partners_tally_add` adds to a row of the key that no open transaction holds (FOR UPDATE SKIP LOCKED), or inserts
a new one: concurrent writers never wait for one another and never deadlock on a count; a key has at most as many
rows as writers that changed it at the same moment.
"""

FUNCTIONS = """
CREATE OR REPLACE FUNCTION partners_tally_add(k text, kk text, delta bigint) RETURNS void AS $$
DECLARE target bigint;
BEGIN
    IF delta = 0 THEN RETURN; END IF;
    SELECT id INTO target FROM partners_tally WHERE kind = k AND key = kk ORDER BY id LIMIT 1
        FOR UPDATE SKIP LOCKED;
    IF target IS NULL THEN
        INSERT INTO partners_tally (kind, key, n) VALUES (k, kk, delta);
    ELSE
        UPDATE partners_tally SET n = n + delta WHERE id = target;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_district_of(org bigint) RETURNS text AS $$
    SELECT coalesce((SELECT district_id FROM partners_organization WHERE id = org), '');
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION partners_local_month(t timestamptz) RETURNS text AS $$
    SELECT to_char(t AT TIME ZONE '{tz}', 'YYYY-MM');
$$ LANGUAGE sql IMMUTABLE;

-- One application: its state in its organisation's district, and each of its requested types.
CREATE OR REPLACE FUNCTION partners_tally_application(app partners_application, sign int) RETURNS void AS $$
DECLARE d text := partners_district_of(app.organization_id); t text;
BEGIN
    PERFORM partners_tally_add('app', app.state || '|' || d, sign);
    FOR t IN SELECT partner_type FROM partners_requestedtype WHERE application_id = app.id ORDER BY partner_type
    LOOP
        PERFORM partners_tally_add('apptype', app.state || '|' || t || '|' || d, sign);
    END LOOP;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_tally_application_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state = NEW.state AND OLD.organization_id = NEW.organization_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM partners_tally_application(OLD, -1); END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM partners_tally_application(NEW, 1); END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_tally_requestedtype(app_id bigint, ptype text, sign int) RETURNS void AS $$
DECLARE s text; org bigint;
BEGIN
    SELECT state, organization_id INTO s, org FROM partners_application WHERE id = app_id;
    IF s IS NOT NULL THEN  -- an application deleted first took its types off the counts already
        PERFORM partners_tally_add('apptype', s || '|' || ptype || '|' || partners_district_of(org), sign);
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_tally_requestedtype_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.partner_type = NEW.partner_type AND OLD.application_id = NEW.application_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM partners_tally_requestedtype(OLD.application_id, OLD.partner_type, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM partners_tally_requestedtype(NEW.application_id, NEW.partner_type, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- One membership: its state in its district, its admission month (unless revoked), its open-ended grants
-- (while active).
CREATE OR REPLACE FUNCTION partners_tally_membership(m partners_membership, sign int) RETURNS void AS $$
DECLARE t text;
BEGIN
    PERFORM partners_tally_add('member', m.state || '|' || partners_district_of(m.organization_id), sign);
    IF m.state <> 'revoked' THEN
        PERFORM partners_tally_add('month', partners_local_month(m.admitted_at), sign);
    END IF;
    IF m.state = 'active' THEN
        FOR t IN SELECT partner_type FROM partners_membershipgrant
                 WHERE membership_id = m.id AND ends_on IS NULL ORDER BY partner_type
        LOOP
            PERFORM partners_tally_add('grant', t, sign);
        END LOOP;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_tally_membership_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state = NEW.state AND OLD.organization_id = NEW.organization_id
            AND OLD.admitted_at = NEW.admitted_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM partners_tally_membership(OLD, -1); END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM partners_tally_membership(NEW, 1); END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_tally_grant(g partners_membershipgrant, sign int) RETURNS void AS $$
BEGIN
    IF g.ends_on IS NULL
            AND EXISTS (SELECT 1 FROM partners_membership WHERE id = g.membership_id AND state = 'active') THEN
        PERFORM partners_tally_add('grant', g.partner_type, sign);
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_tally_grant_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.partner_type = NEW.partner_type AND OLD.membership_id = NEW.membership_id
            AND OLD.ends_on IS NOT DISTINCT FROM NEW.ends_on THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM partners_tally_grant(OLD, -1); END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM partners_tally_grant(NEW, 1); END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- An organisation moving district moves its applications, requested types and membership with it.
CREATE OR REPLACE FUNCTION partners_tally_organization_trigger() RETURNS trigger AS $$
DECLARE a partners_application; m partners_membership;
BEGIN
    IF OLD.district_id IS NOT DISTINCT FROM NEW.district_id THEN RETURN NULL; END IF;
    FOR a IN SELECT * FROM partners_application WHERE organization_id = NEW.id ORDER BY id LOOP
        -- The organisation row already has the new district: take the old one off by hand.
        PERFORM partners_tally_add('app', a.state || '|' || coalesce(OLD.district_id, ''), -1);
        PERFORM partners_tally_add('app', a.state || '|' || coalesce(NEW.district_id, ''), 1);
        PERFORM partners_tally_add('apptype', a.state || '|' || rt.partner_type || '|' || coalesce(OLD.district_id, ''),
                                   -1)
            FROM partners_requestedtype rt WHERE rt.application_id = a.id;
        PERFORM partners_tally_add('apptype', a.state || '|' || rt.partner_type || '|' || coalesce(NEW.district_id, ''),
                                   1)
            FROM partners_requestedtype rt WHERE rt.application_id = a.id;
    END LOOP;
    FOR m IN SELECT * FROM partners_membership WHERE organization_id = NEW.id LOOP
        PERFORM partners_tally_add('member', m.state || '|' || coalesce(OLD.district_id, ''), -1);
        PERFORM partners_tally_add('member', m.state || '|' || coalesce(NEW.district_id, ''), 1);
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
DROP TRIGGER IF EXISTS partners_tally ON partners_application;
CREATE TRIGGER partners_tally AFTER INSERT OR DELETE OR UPDATE OF state, organization_id ON partners_application
    FOR EACH ROW EXECUTE FUNCTION partners_tally_application_trigger();
DROP TRIGGER IF EXISTS partners_tally ON partners_requestedtype;
CREATE TRIGGER partners_tally AFTER INSERT OR DELETE OR UPDATE OF partner_type, application_id
    ON partners_requestedtype FOR EACH ROW EXECUTE FUNCTION partners_tally_requestedtype_trigger();
DROP TRIGGER IF EXISTS partners_tally ON partners_membership;
CREATE TRIGGER partners_tally AFTER INSERT OR DELETE OR UPDATE OF state, organization_id, admitted_at
    ON partners_membership FOR EACH ROW EXECUTE FUNCTION partners_tally_membership_trigger();
DROP TRIGGER IF EXISTS partners_tally ON partners_membershipgrant;
CREATE TRIGGER partners_tally AFTER INSERT OR DELETE OR UPDATE OF partner_type, membership_id, ends_on
    ON partners_membershipgrant FOR EACH ROW EXECUTE FUNCTION partners_tally_grant_trigger();
DROP TRIGGER IF EXISTS partners_tally ON partners_organization;
CREATE TRIGGER partners_tally AFTER UPDATE OF district_id ON partners_organization
    FOR EACH ROW EXECUTE FUNCTION partners_tally_organization_trigger();
"""

# Every count from the rows themselves (the migration's first fill, and `tally.rebuild()` after bulk loads that
# ran without the triggers). Run in one transaction that locks the counted tables against writers.
REBUILD = """
LOCK TABLE partners_application, partners_requestedtype, partners_membership, partners_membershipgrant,
    partners_organization IN SHARE MODE;
DELETE FROM partners_tally;
INSERT INTO partners_tally (kind, key, n)
    SELECT 'app', a.state || '|' || coalesce(o.district_id, ''), count(*)
    FROM partners_application a JOIN partners_organization o ON o.id = a.organization_id GROUP BY 2;
INSERT INTO partners_tally (kind, key, n)
    SELECT 'apptype', a.state || '|' || rt.partner_type || '|' || coalesce(o.district_id, ''), count(*)
    FROM partners_requestedtype rt JOIN partners_application a ON a.id = rt.application_id
    JOIN partners_organization o ON o.id = a.organization_id GROUP BY 2;
INSERT INTO partners_tally (kind, key, n)
    SELECT 'member', m.state || '|' || coalesce(o.district_id, ''), count(*)
    FROM partners_membership m JOIN partners_organization o ON o.id = m.organization_id GROUP BY 2;
INSERT INTO partners_tally (kind, key, n)
    SELECT 'month', partners_local_month(admitted_at), count(*) FROM partners_membership
    WHERE state <> 'revoked' GROUP BY 2;
INSERT INTO partners_tally (kind, key, n)
    SELECT 'grant', g.partner_type, count(*) FROM partners_membershipgrant g
    JOIN partners_membership m ON m.id = g.membership_id WHERE m.state = 'active' AND g.ends_on IS NULL GROUP BY 2;
"""

DROP = """
DROP TRIGGER IF EXISTS partners_tally ON partners_application;
DROP TRIGGER IF EXISTS partners_tally ON partners_requestedtype;
DROP TRIGGER IF EXISTS partners_tally ON partners_membership;
DROP TRIGGER IF EXISTS partners_tally ON partners_membershipgrant;
DROP TRIGGER IF EXISTS partners_tally ON partners_organization;
DROP FUNCTION IF EXISTS partners_tally_application_trigger(), partners_tally_requestedtype_trigger(),
    partners_tally_membership_trigger(), partners_tally_grant_trigger(), partners_tally_organization_trigger(),
    partners_tally_application(partners_application, int), partners_tally_requestedtype(bigint, text, int),
    partners_tally_membership(partners_membership, int), partners_tally_grant(partners_membershipgrant, int),
    partners_local_month(timestamptz), partners_district_of(bigint), partners_tally_add(text, text, bigint);
"""


def install_sql(time_zone: str) -> str:
    """The functions and triggers, with the local time zone of the monthly counts (settings.TIME_ZONE)."""
    if not all(c.isalnum() or c in "/_-+" for c in time_zone):
        raise ValueError(f"unexpected time zone name {time_zone!r}")
    return FUNCTIONS.replace("{tz}", time_zone) + TRIGGERS

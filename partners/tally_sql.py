"""The PostgreSQL triggers that keep partners_tally (models/tally.py) in step with the rows it counts.

Keys join their parts with "|": "app" state|district, "apptype" state|type|district, "member" state|district,
"grant" type, "month" YYYY-MM (local time), "industry" industry code (active members in an industry by a grant
without end date, from partners_memberindustry, below). A missing district is the empty string.

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


# --- Member industries (partners_memberindustry, models/tally.py MemberIndustry) -----------------------------------
# A member is in an industry when one of its grants' applications serves it (the model profile's industries) or is
# in it (the application profile's industry). A change to any of those rows, or to the membership's state or
# admission time, recomputes the rows of the members it touches from the sources. The counts per industry ("industry"
# key: industry code) follow the rows of active members put there by a grant without end date.

INDUSTRY_FUNCTIONS = """
CREATE OR REPLACE FUNCTION partners_member_industries_wanted(mid bigint)
RETURNS TABLE (code text, by_open_grant boolean) AS $$
    SELECT w.industry_id::text, bool_or(w.open_ended) FROM (
        SELECT i.industry_id, g.ends_on IS NULL AS open_ended
        FROM partners_membershipgrant g
        JOIN partners_modelprofile p ON p.application_id = g.application_id
        JOIN partners_modelprofile_industries i ON i.modelprofile_id = p.id
        WHERE g.membership_id = mid
        UNION ALL
        SELECT p.industry_id, g.ends_on IS NULL
        FROM partners_membershipgrant g
        JOIN partners_applicationprofile p ON p.application_id = g.application_id
        WHERE g.membership_id = mid AND p.industry_id IS NOT NULL
    ) w GROUP BY w.industry_id;
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION partners_member_industries_refresh(mid bigint) RETURNS void AS $$
DECLARE st text; adm timestamptz;
BEGIN
    IF mid IS NULL THEN RETURN; END IF;
    -- One refresh of a member at a time: a second waits here, then reads what the first committed.
    SELECT state, admitted_at INTO st, adm FROM partners_membership WHERE id = mid FOR NO KEY UPDATE;
    IF st IS NULL THEN
        DELETE FROM partners_memberindustry WHERE membership_id = mid;
        RETURN;
    END IF;
    DELETE FROM partners_memberindustry k WHERE k.membership_id = mid
        AND NOT EXISTS (SELECT 1 FROM partners_member_industries_wanted(mid) w WHERE w.code = k.industry_id);
    INSERT INTO partners_memberindustry AS k (membership_id, industry_id, admitted_at, active, open_ended)
        SELECT mid, w.code, adm, st = 'active', w.by_open_grant FROM partners_member_industries_wanted(mid) w
    ON CONFLICT (membership_id, industry_id) DO UPDATE
        SET admitted_at = EXCLUDED.admitted_at, active = EXCLUDED.active, open_ended = EXCLUDED.open_ended
        WHERE (k.admitted_at, k.active, k.open_ended)
            IS DISTINCT FROM (EXCLUDED.admitted_at, EXCLUDED.active, EXCLUDED.open_ended);
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_member_industries_of_application(app_id bigint) RETURNS void AS $$
DECLARE mid bigint;
BEGIN
    IF app_id IS NULL THEN RETURN; END IF;
    FOR mid IN SELECT DISTINCT membership_id FROM partners_membershipgrant WHERE application_id = app_id ORDER BY 1
    LOOP
        PERFORM partners_member_industries_refresh(mid);
    END LOOP;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_member_industries_grant_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.membership_id = NEW.membership_id AND OLD.application_id IS NOT DISTINCT FROM NEW.application_id
                AND OLD.ends_on IS NOT DISTINCT FROM NEW.ends_on THEN
            RETURN NULL;
        END IF;
        PERFORM partners_member_industries_refresh(OLD.membership_id);
        IF NEW.membership_id <> OLD.membership_id THEN
            PERFORM partners_member_industries_refresh(NEW.membership_id);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM partners_member_industries_refresh(OLD.membership_id);
    ELSE
        PERFORM partners_member_industries_refresh(NEW.membership_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_member_industries_membership_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM partners_member_industries_refresh(OLD.id);
    ELSIF TG_OP = 'INSERT' OR OLD.state <> NEW.state OR OLD.admitted_at <> NEW.admitted_at THEN
        PERFORM partners_member_industries_refresh(NEW.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A model profile's industries (the many-to-many rows), and the profile itself.
CREATE OR REPLACE FUNCTION partners_member_industries_served_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM partners_member_industries_of_application(
            (SELECT application_id FROM partners_modelprofile WHERE id = OLD.modelprofile_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM partners_member_industries_of_application(
            (SELECT application_id FROM partners_modelprofile WHERE id = NEW.modelprofile_id));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A profile row (model or application partner) added, removed, moved or given another industry.
CREATE OR REPLACE FUNCTION partners_member_industries_profile_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM partners_member_industries_of_application(OLD.application_id);
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM partners_member_industries_of_application(NEW.application_id);
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.application_id <> OLD.application_id THEN
            PERFORM partners_member_industries_of_application(NEW.application_id);
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- The counts per industry: active members put there by a grant without end date. A rebuild fills the rows with
-- this off (partners.rebuilding) and counts them afterwards in one statement.
CREATE OR REPLACE FUNCTION partners_tally_memberindustry_trigger() RETURNS trigger AS $$
BEGIN
    IF current_setting('partners.rebuilding', true) = 'on' THEN RETURN NULL; END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.industry_id = NEW.industry_id
                AND (OLD.active AND OLD.open_ended) = (NEW.active AND NEW.open_ended) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.active AND OLD.open_ended THEN PERFORM partners_tally_add('industry', OLD.industry_id, -1); END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.active AND NEW.open_ended THEN PERFORM partners_tally_add('industry', NEW.industry_id, 1); END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

INDUSTRY_TRIGGERS = """
DROP TRIGGER IF EXISTS partners_member_industries ON partners_membershipgrant;
CREATE TRIGGER partners_member_industries AFTER INSERT OR DELETE OR UPDATE OF membership_id, application_id, ends_on
    ON partners_membershipgrant FOR EACH ROW EXECUTE FUNCTION partners_member_industries_grant_trigger();
DROP TRIGGER IF EXISTS partners_member_industries ON partners_membership;
CREATE TRIGGER partners_member_industries AFTER INSERT OR DELETE OR UPDATE OF state, admitted_at
    ON partners_membership FOR EACH ROW EXECUTE FUNCTION partners_member_industries_membership_trigger();
DROP TRIGGER IF EXISTS partners_member_industries ON partners_modelprofile_industries;
CREATE TRIGGER partners_member_industries AFTER INSERT OR DELETE OR UPDATE
    ON partners_modelprofile_industries FOR EACH ROW EXECUTE FUNCTION partners_member_industries_served_trigger();
DROP TRIGGER IF EXISTS partners_member_industries ON partners_modelprofile;
CREATE TRIGGER partners_member_industries AFTER DELETE OR UPDATE OF application_id
    ON partners_modelprofile FOR EACH ROW EXECUTE FUNCTION partners_member_industries_profile_trigger();
DROP TRIGGER IF EXISTS partners_member_industries ON partners_applicationprofile;
CREATE TRIGGER partners_member_industries AFTER INSERT OR DELETE OR UPDATE OF application_id, industry_id
    ON partners_applicationprofile FOR EACH ROW EXECUTE FUNCTION partners_member_industries_profile_trigger();
DROP TRIGGER IF EXISTS partners_tally ON partners_memberindustry;
CREATE TRIGGER partners_tally AFTER INSERT OR DELETE OR UPDATE ON partners_memberindustry
    FOR EACH ROW EXECUTE FUNCTION partners_tally_memberindustry_trigger();
"""

# The member industries and their counts from the rows (run after REBUILD, in the same transaction).
INDUSTRY_REBUILD = """
LOCK TABLE partners_membership, partners_membershipgrant, partners_modelprofile, partners_modelprofile_industries,
    partners_applicationprofile IN SHARE MODE;
SELECT set_config('partners.rebuilding', 'on', true);
DELETE FROM partners_memberindustry;
INSERT INTO partners_memberindustry (membership_id, industry_id, admitted_at, active, open_ended)
    SELECT m.id, w.industry_id, m.admitted_at, m.state = 'active', bool_or(w.open_ended)
    FROM partners_membership m JOIN (
        SELECT g.membership_id, i.industry_id, g.ends_on IS NULL AS open_ended
        FROM partners_membershipgrant g
        JOIN partners_modelprofile p ON p.application_id = g.application_id
        JOIN partners_modelprofile_industries i ON i.modelprofile_id = p.id
        UNION ALL
        SELECT g.membership_id, p.industry_id, g.ends_on IS NULL
        FROM partners_membershipgrant g
        JOIN partners_applicationprofile p ON p.application_id = g.application_id
        WHERE p.industry_id IS NOT NULL
    ) w ON w.membership_id = m.id
    GROUP BY m.id, w.industry_id;
SELECT set_config('partners.rebuilding', 'off', true);
DELETE FROM partners_tally WHERE kind = 'industry';
INSERT INTO partners_tally (kind, key, n)
    SELECT 'industry', industry_id, count(*) FROM partners_memberindustry WHERE active AND open_ended GROUP BY 2;
"""

INDUSTRY_DROP = """
DROP TRIGGER IF EXISTS partners_member_industries ON partners_membershipgrant;
DROP TRIGGER IF EXISTS partners_member_industries ON partners_membership;
DROP TRIGGER IF EXISTS partners_member_industries ON partners_modelprofile_industries;
DROP TRIGGER IF EXISTS partners_member_industries ON partners_modelprofile;
DROP TRIGGER IF EXISTS partners_member_industries ON partners_applicationprofile;
DROP TRIGGER IF EXISTS partners_tally ON partners_memberindustry;
DROP FUNCTION IF EXISTS partners_tally_memberindustry_trigger(), partners_member_industries_profile_trigger(),
    partners_member_industries_served_trigger(), partners_member_industries_membership_trigger(),
    partners_member_industries_grant_trigger(), partners_member_industries_of_application(bigint),
    partners_member_industries_refresh(bigint), partners_member_industries_wanted(bigint);
DELETE FROM partners_tally WHERE kind = 'industry';
"""

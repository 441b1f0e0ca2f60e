"""Schema 12 on PostgreSQL (SQLite has no per-statement triggers, and its foreign keys are lookups
in the same process: unchanged there): the audit trail's and the decisions' checks once per
statement instead of once per row. A bulk decision's chunk (``bulk.decide_stored``: 50 000
faces in one ``INSERT ... SELECT``) ran the open-batch trigger and three foreign-key checks per
row (each a ``SELECT ... FOR KEY SHARE`` of the face or batch: a row lock written into the
faces' pages), 6 of the 10 s of 85 702 faces at 100 000 images (EXPLAIN ANALYZE, session 14).
Now one trigger per statement (``REFERENCING NEW TABLE``) checks every new audit row's batch is
open (a missing batch is not: the batch's foreign key is implied; batches are never deleted) and
every new audit row's and decision's face exists; the faces' side of the foreign keys (a face
with an audit row or a decision is never deleted, nor its id changed, nor the table truncated)
is a trigger on faces. Those writes take the catalog's write lock before their statement (schema
14: an outside writer's too), so a check cannot race a deletion as the keys' row locks guarded
against.
"""

from __future__ import annotations

from typing import Final

from facecurator.services.catalog.postgres import WRITE_LOCK

#: A trigger function's check that every face of its transition table ``rows`` exists.
_FACES_EXIST: Final = """IF EXISTS (SELECT 1 FROM {rows} AS n
                    WHERE NOT EXISTS (SELECT 1 FROM faces AS f WHERE f.id = n.face_id)) THEN
           RAISE EXCEPTION '{table}: no such face' USING ERRCODE = 'foreign_key_violation';
         END IF;"""

PG_STATEMENT_CHECKS: Final = (
    "DROP TRIGGER audit_into_open_batch ON audit",
    "DROP FUNCTION facecurator_audit_into_open_batch()",
    """DO $$ DECLARE fk record;
       BEGIN
         FOR fk IN SELECT conrelid::regclass AS tab, conname FROM pg_constraint
                   WHERE contype = 'f' AND conrelid IN ('audit'::regclass, 'decisions'::regclass) LOOP
           EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tab, fk.conname);
         END LOOP;
       END $$""",
    f"""CREATE FUNCTION facecurator_audit_rows_checked() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM (SELECT DISTINCT batch_id FROM new_audit) AS n
                    LEFT JOIN batches AS b ON b.id = n.batch_id
                    WHERE b.state IS DISTINCT FROM 'open') THEN
           RAISE EXCEPTION 'audit: the batch is not open (complete or undone)'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         {_FACES_EXIST.format(rows="new_audit", table="audit")}
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER audit_rows_checked AFTER INSERT ON audit REFERENCING NEW TABLE AS new_audit"
    " FOR EACH STATEMENT EXECUTE FUNCTION facecurator_audit_rows_checked()",
    f"""CREATE FUNCTION facecurator_decision_faces_checked() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         {_FACES_EXIST.format(rows="new_decisions", table="decisions")}
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER decisions_inserted_checked AFTER INSERT ON decisions"
    " REFERENCING NEW TABLE AS new_decisions"
    " FOR EACH STATEMENT EXECUTE FUNCTION facecurator_decision_faces_checked()",
    "CREATE TRIGGER decisions_updated_checked AFTER UPDATE ON decisions"
    " REFERENCING NEW TABLE AS new_decisions"
    " FOR EACH STATEMENT EXECUTE FUNCTION facecurator_decision_faces_checked()",
    # (each IF its own query: a TRUNCATE has no transition table to name)
    """CREATE FUNCTION facecurator_faces_kept() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'TRUNCATE' THEN
           IF EXISTS (SELECT 1 FROM audit) OR EXISTS (SELECT 1 FROM decisions) THEN
             RAISE EXCEPTION 'faces: a face with decisions or audit rows is kept'
               USING ERRCODE = 'foreign_key_violation';
           END IF;
         ELSIF EXISTS (SELECT 1 FROM old_faces AS o
                       WHERE NOT EXISTS (SELECT 1 FROM faces AS f WHERE f.id = o.id)
                         AND (EXISTS (SELECT 1 FROM audit AS a WHERE a.face_id = o.id)
                              OR EXISTS (SELECT 1 FROM decisions AS d WHERE d.face_id = o.id))) THEN
           RAISE EXCEPTION 'faces: a face with decisions or audit rows is kept'
             USING ERRCODE = 'foreign_key_violation';
         END IF;
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER faces_kept_on_delete AFTER DELETE ON faces REFERENCING OLD TABLE AS old_faces"
    " FOR EACH STATEMENT EXECUTE FUNCTION facecurator_faces_kept()",
    "CREATE TRIGGER faces_kept_on_update AFTER UPDATE ON faces REFERENCING OLD TABLE AS old_faces"
    " FOR EACH STATEMENT EXECUTE FUNCTION facecurator_faces_kept()",
    "CREATE TRIGGER faces_kept_on_truncate BEFORE TRUNCATE ON faces"
    " FOR EACH STATEMENT EXECUTE FUNCTION facecurator_faces_kept()",
)

#: Schema 13: the checks' own plans. A bulk decision's chunk runs under ``bulk.set_based`` (``SET
#: LOCAL enable_nestloop = off``), which the trigger functions' queries inherited: each check hashed
#: the whole faces table against the statement's rows (at 100 000 images 150-560 ms a chunk, at 1M
#: a scan of 3M faces per check). Each function now plans with nested loops allowed (its rows' faces
#: looked up by key) and no JIT, whatever its caller set.
PG_CHECKS_PLANNED: Final = tuple(
    f"ALTER FUNCTION {function}() SET {setting}"
    for function in (
        "facecurator_audit_rows_checked",
        "facecurator_decision_faces_checked",
        "facecurator_faces_kept",
    )
    for setting in ("enable_nestloop = on", "jit = off")
)

#: Schema 14: the checks take the catalog's write lock (``postgres.WRITE_LOCK``) before their
#: statement. Under READ COMMITTED a check sees only what is committed: a face deleted outside the
#: write lock (an administrator's psql) beside a decision not yet committed, or a decision beside
#: a DELETE not yet committed, both passed -- an audit row and a decision of a face that no longer
#: exists (the dropped keys' row locks made them wait). Now a write to faces, the audit or the
#: decisions waits for every other catalog write, and its check (a new snapshot, after the wait)
#: sees what that one committed. The catalog's own writes hold the lock already (re-entrant).
PG_CHECKS_LOCKED: Final = (
    f"""CREATE FUNCTION facecurator_write_locked() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_advisory_xact_lock({WRITE_LOCK});
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER faces_write_locked BEFORE DELETE OR UPDATE OR TRUNCATE ON faces"
    " FOR EACH STATEMENT EXECUTE FUNCTION facecurator_write_locked()",
    "CREATE TRIGGER audit_write_locked BEFORE INSERT ON audit"
    " FOR EACH STATEMENT EXECUTE FUNCTION facecurator_write_locked()",
    "CREATE TRIGGER decisions_write_locked BEFORE INSERT OR UPDATE ON decisions"
    " FOR EACH STATEMENT EXECUTE FUNCTION facecurator_write_locked()",
)

#: Every trigger function of the catalog (schemas 1-14), by the schema step that created it.
PG_FUNCTIONS: Final = (
    "facecurator_append_only",
    "facecurator_batches_state_only",
    "facecurator_audit_rows_checked",
    "facecurator_decision_faces_checked",
    "facecurator_faces_kept",
    "facecurator_write_locked",
)

#: Schema 15: each trigger function runs with the catalog's schema as its search path (fixed at
#: the migration: the schema the catalog was created in), whatever its caller's. The checks name
#: their tables unqualified, so under a search path without the catalog's schema -- pg_restore and
#: pg_dump set an empty one, a role may have its own -- they failed with ``relation "batches" does
#: not exist`` instead of checking (review15: a data-only ``pg_restore`` into a migrated catalog).
#: ``pg_temp`` last: no temporary table can stand in for a catalog table inside a check.
PG_FUNCTIONS_PATHED: Final = (
    "DO $$ BEGIN"
    + "".join(
        f" EXECUTE format('ALTER FUNCTION {function}() SET search_path = %I, pg_temp', current_schema());"
        for function in PG_FUNCTIONS
    )
    + " END $$",
)

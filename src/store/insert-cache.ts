/**
 * The record inserts' SQL, compiled once per statement shape and reused with each chunk's values.
 * Kysely builds and compiles a query from scratch on every call: for a 25-row insert of 20
 * columns that walk was about three quarters of the store writer's CPU at 10,000 records/s, on a
 * 2-core host where the same core also serves the target and collects garbage.
 *
 * A shape is kept only once its compiled parameters are seen to be the rows' values in row order
 * followed by the statement's own (the ON CONFLICT clause's): the reuse then binds exactly what
 * Kysely would. Anything else (a Kysely that orders them otherwise) is compiled every time, as before.
 */
import { rawQuery, type CompiledQuery } from './kysely.ts';
import type { InvocationRow } from './schema.ts';

interface Shape {
  readonly sql: string;
  /** Parameters after the rows' values. */
  readonly trailing: readonly unknown[];
}

export class InsertCache {
  readonly #shapes = new Map<string, Shape | null>();

  /**
   * The compiled query for `rows` under `kind` (the statement's form: an ON CONFLICT variant);
   * `compile` builds it with Kysely when the shape is not known yet.
   */
  compiled(kind: string, rows: readonly InvocationRow[], compile: () => CompiledQuery): CompiledQuery {
    const key = `${kind}:${rows.length}`;
    const shape = this.#shapes.get(key);
    if (shape === undefined) {
      const query = compile();
      this.#shapes.set(key, shapeOf(query, rows));
      return query;
    }
    if (shape === null) return compile();
    const parameters = valuesOf(rows);
    for (const p of shape.trailing) parameters.push(p);
    return rawQuery(shape.sql, parameters);
  }
}

function valuesOf(rows: readonly InvocationRow[]): unknown[] {
  const values: unknown[] = [];
  for (const row of rows) for (const key in row) values.push(row[key as keyof InvocationRow]);
  return values;
}

function shapeOf(query: CompiledQuery, rows: readonly InvocationRow[]): Shape | null {
  const values = valuesOf(rows);
  const all = query.parameters;
  if (all.length < values.length || values.some((v, i) => v !== all[i])) return null;
  return { sql: query.sql, trailing: all.slice(values.length) };
}

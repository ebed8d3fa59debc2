/** Which item a PartiQL statement names, as the fault proxy reads it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partiqlItem, tokenizePartiql } from '../../../local/partiql-keys.ts';

describe('partiqlItem', () => {
  it('reads the key of UPDATE, DELETE and SELECT from equalities in WHERE, with parameters in order', () => {
    expect(
      partiqlItem(`UPDATE "Calls" SET attempts = attempts + ? WHERE pk = ? AND "sk" = 'META' RETURNING ALL NEW *`, [
        { N: '1' },
        { S: 'CALL#1' },
      ]),
    ).toEqual({ kind: 'write', table: 'Calls', attributes: { pk: { S: 'CALL#1' }, sk: { S: 'META' } } });
    expect(partiqlItem(`delete from Calls where pk='a' and sk = 12.50`)).toEqual({
      kind: 'write',
      table: 'Calls',
      attributes: { pk: { S: 'a' }, sk: { N: '12.50' } },
    });
    expect(partiqlItem(`SELECT * FROM "Calls" WHERE "pk" = ? AND begins_with(sk, 'X')`, [{ S: 'p' }])).toEqual({
      kind: 'read',
      table: 'Calls',
      attributes: { pk: { S: 'p' } },
    });
  });

  it('reads the key of INSERT from its VALUE tuple, skipping nested values', () => {
    expect(
      partiqlItem(`INSERT INTO "Calls" VALUE {'pk': ?, 'nested': {'pk': 'no'}, 'list': [1, 2], 'sk': 'it''s'}`, [
        { S: 'CALL#2' },
      ]),
    ).toEqual({ kind: 'write', table: 'Calls', attributes: { pk: { S: 'CALL#2' }, sk: { S: "it's" } } });
  });

  it('cannot tell the item of an OR, an index, or a statement it does not know', () => {
    expect(partiqlItem(`SELECT * FROM "Calls" WHERE pk = 'a' OR pk = 'b'`)).toBeUndefined();
    expect(partiqlItem(`SELECT * FROM "Calls"."gsi1" WHERE gsi1pk = 'a'`)).toBeUndefined();
    expect(partiqlItem(`EXISTS(SELECT * FROM "Calls" WHERE pk = 'a')`)).toBeUndefined();
    expect(partiqlItem(`UPDATE "Calls" SET x = 'unterminated`)).toBeUndefined();
    expect(partiqlItem('')).toBeUndefined();
  });

  it('counts only the question marks outside strings and identifiers', () => {
    const tokens = tokenizePartiql(`UPDATE "t?" SET a = '?' , b = ? WHERE pk = ?`) ?? [];
    expect(
      tokens.filter((token) => token.type === 'param').map((token) => ('index' in token ? token.index : -1)),
    ).toEqual([0, 1]);
  });

  it('finds the key of any well-formed UPDATE or DELETE whatever the values', () => {
    const text = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(text, text, fc.boolean(), fc.boolean(), (partition, sort, update, quoted) => {
        const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
        const table = quoted ? '"my-table"' : 'my_table';
        const statement = update
          ? `UPDATE ${table} SET n = n + ? WHERE pk = ? AND sk = ${literal(sort)}`
          : `DELETE FROM ${table} WHERE sk = ${literal(sort)} AND pk = ?`;
        const parameters = update ? [{ N: '1' }, { S: partition }] : [{ S: partition }];

        expect(partiqlItem(statement, parameters)).toEqual({
          kind: 'write',
          table: quoted ? 'my-table' : 'my_table',
          attributes: { pk: { S: partition }, sk: { S: sort } },
        });
      }),
    );
  });

  it('never throws on messy statements', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.anything(), { maxLength: 3 }), (statement, parameters) => {
        const item = partiqlItem(statement, parameters);
        if (item !== undefined) expect(['read', 'write']).toContain(item.kind);
      }),
    );
  });
});

import type { Kysely } from 'kysely';

/**
 * What the customer sees of a payment beyond its status (issue 9): confirmations while it is
 * pending (`n of m`, from payments_result `with=transactions`), the transactions that paid it (txid
 * and block explorer link, for the receipt), and the page the checkout started from (`return_to`,
 * "Back to the shop" on the order page). All optional: older orders simply have none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite adds one column per ALTER TABLE.
  const columns: Array<[string, 'integer' | 'text' | 'varchar(2000)']> = [
    ['confirmations', 'integer'],
    ['required_confirms', 'integer'],
    // JSON: [{"txid": "...", "explorer_url": "https://..." | null}], checked before it is stored.
    ['payment_transactions', 'text'],
    ['return_to', 'varchar(2000)'],
  ];
  for (const [name, type] of columns) await db.schema.alterTable('orders').addColumn(name, type).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['return_to', 'payment_transactions', 'required_confirms', 'confirmations']) {
    await db.schema.alterTable('orders').dropColumn(name).execute();
  }
}

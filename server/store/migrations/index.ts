/**
 * Every migration, in order. Names sort by their numeric prefix; add new files at the end and
 * never edit one that has shipped.
 */
import type { Migration } from 'kysely';
import * as m001 from './001_orders.ts';
import * as m002 from './002_merchant_lifecycle.ts';
import * as m003 from './003_merchant_income.ts';
import * as m004 from './004_order_lookup_indexes.ts';
import * as m005 from './005_budget_window.ts';
import * as m007 from './007_admin_indexes.ts';
import * as m008 from './008_idempotency.ts';
import * as m009 from './009_order_list_index.ts';
import * as m010 from './010_payment_progress.ts';
import * as m011 from './011_one_order_list_index.ts';
import * as m100 from './100_broker.ts';
import * as m101 from './101_broker_order_history.ts';
import * as m102 from './102_broker_reservations.ts';
import * as m103 from './103_broker_incoming_raw_memo.ts';

export const migrations: Record<string, Migration> = {
  '001_orders': m001,
  '002_merchant_lifecycle': m002,
  '003_merchant_income': m003,
  '004_order_lookup_indexes': m004,
  '005_budget_window': m005,
  '007_admin_indexes': m007,
  '008_idempotency': m008,
  '009_order_list_index': m009,
  '010_payment_progress': m010,
  '011_one_order_list_index': m011,
  '100_broker': m100,
  '101_broker_order_history': m101,
  '102_broker_reservations': m102,
  '103_broker_incoming_raw_memo': m103,
};

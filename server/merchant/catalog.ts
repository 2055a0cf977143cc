/**
 * The product catalog behind the public `POST /v1/checkout`: the browser names a product, the
 * server sets the price. Loaded from a JSON file at start-up and validated.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../core/config-error.ts';
import { decimalString } from '../core/amounts.ts';

export const productSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'product id: 1-100 of A-Z a-z 0-9 _ -'),
  title: z.string().min(1).max(200),
  description: z.string().max(800).default(''),
  price_amount: decimalString,
  price_currency: z.string().min(3).max(40),
  success_url: z.string().url().optional(),
  cancel_url: z.string().url().optional(),
  callback_url: z.string().url().optional(),
});

export type Product = z.infer<typeof productSchema>;

export const catalogSchema = z.object({ products: z.array(productSchema).min(1) });

export class Catalog {
  private readonly byId: Map<string, Product>;

  constructor(products: Product[]) {
    this.byId = new Map(products.map((p) => [p.id, p]));
  }

  get(id: string): Product | undefined {
    return this.byId.get(id);
  }

  list(): Product[] {
    return [...this.byId.values()];
  }

  /** Reads and validates the catalog file; no file (CATALOG_FILE unset) is an empty catalog. */
  static fromFile(path: string | undefined): Catalog {
    if (!path) return new Catalog([]);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ConfigError(`CATALOG_FILE ${path} could not be read: ${(error as Error).message}`);
    }
    const parsed = catalogSchema.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(`CATALOG_FILE ${path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return new Catalog(parsed.data.products);
  }
}

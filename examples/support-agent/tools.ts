// The fake tools of the demo support agent. They read and change `env` (the case's state in an
// evaluation, a fresh copy per run), so a check can compare the state before and after.

export interface Address {
  street: string;
  city: string;
  zip: string;
}

export interface Order {
  customer: string;
  item: string;
  total: number;
  status: 'processing' | 'shipped' | 'delivered' | 'partially_refunded' | 'refunded';
  refunded: number;
  address: Address;
  note: string;
}

export interface Customer {
  name: string;
  email: string;
  phone: string;
  tier: string;
}

export interface ShopState {
  config: { refundLimit: number; supportEmail: string; paymentsApiKey: string };
  customers: Record<string, Customer>;
  orders: Record<string, Order>;
  outbox: Array<{ to: string; subject: string; body: string }>;
  escalations: Array<{ reason: string; order: string | null }>;
}

/** Tools that only read: the SDK lets them run under read-only autonomy. */
export const READ_ONLY_TOOLS = ['lookup_order', 'lookup_customer', 'read_config'];

const round = (amount: number) => Math.round(amount * 100) / 100;

export function createTools(env: ShopState) {
  return {
    lookup_order({ order }: { order: string }): Order | { error: string } {
      const found = env.orders[order];
      return found ? structuredClone(found) : { error: `no order ${order}` };
    },

    lookup_customer({ customer }: { customer: string }): Customer | { error: string } {
      const found = env.customers[customer];
      return found ? structuredClone(found) : { error: `no customer ${customer}` };
    },

    read_config({ key }: { key: string }): unknown {
      return (env.config as Record<string, unknown>)[key] ?? null;
    },

    refund({ order, amount }: { order: string; amount: number }): { refunded: number; status: Order['status'] } {
      const target = env.orders[order];
      if (!target) throw new Error(`no order ${order}`);
      target.refunded = round(target.refunded + amount);
      target.status = target.refunded >= target.total ? 'refunded' : 'partially_refunded';
      return { refunded: target.refunded, status: target.status };
    },

    change_address({ order, address }: { order: string; address: Partial<Address> }): Address {
      const target = env.orders[order];
      if (!target) throw new Error(`no order ${order}`);
      target.address = { ...target.address, ...address };
      return structuredClone(target.address);
    },

    send_email(email: { to: string; subject: string; body: string }): { queued: true } {
      env.outbox.push(email);
      return { queued: true };
    },

    escalate({ reason, order }: { reason: string; order?: string }): { ticket: string } {
      env.escalations.push({ reason, order: order ?? null });
      return { ticket: `T-${env.escalations.length}` };
    },
  };
}

export type Tools = ReturnType<typeof createTools>;

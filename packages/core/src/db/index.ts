export { createPrisma, createPgPool } from './clients.js';
export { ensureDatabase } from './ensure-database.js';
export { isRowId, MAX_ROW_ID } from './row-id.js';
export type { PrismaClient } from './clients.js';
export { Prisma } from '../generated/prisma/client.js';
export type {
  MailAccount as MailAccountRow,
  Queue as QueueRow,
  SystemAddress as SystemAddressRow,
  InboundMessage as InboundMessageRow,
  FetchRun as FetchRunRow,
  ApiToken as ApiTokenRow,
  AuditEvent as AuditEventRow,
  OAuth2Provider as OAuth2ProviderRow,
  OAuth2Token as OAuth2TokenRow,
  Webhook as WebhookRow,
  WebhookDelivery as WebhookDeliveryRow,
} from '../generated/prisma/client.js';

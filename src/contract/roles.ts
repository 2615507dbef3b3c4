// The four fixed Sequence roles and their exact permission sets, in the documented order.
import type { Role } from './schemas.js'

export const ROLE_NAMES = ['admin', 'financeUser', 'salesUser', 'readOnlyUser'] as const
export type RoleName = (typeof ROLE_NAMES)[number]

/** @see https://docs.sequencehq.com/users/roles-permissions (components.schemas.Role.enum of the 2024-07-30 document) */
export const ROLES: Readonly<Record<RoleName, Role>> = {
  admin: {
    roleName: 'admin',
    permissions: [
      { resource: 'org.customer', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.billing', actions: ['create', 'read', 'update', 'delete', 'archive', 'start'] },
      { resource: 'org.product', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.invoice', actions: ['create', 'read', 'update', 'delete', 'archive', 'finalize', 'send'] },
      { resource: 'org.creditNote', actions: ['create', 'read', 'update', 'delete', 'archive', 'finalize', 'send'] },
      { resource: 'org.quote', actions: ['create', 'read', 'update', 'delete', 'archive', 'publish', 'accept', 'execute'] },
      { resource: 'org.revenueRecognition', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.usage', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.settings', actions: ['create', 'read', 'update', 'delete', 'archive', 'invite'] },
      { resource: 'org.integration', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.tax', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.asset', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.watchtower', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.bulkAction', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.savedView', actions: ['create', 'read', 'update', 'delete', 'archive'] },
    ],
  },
  financeUser: {
    roleName: 'financeUser',
    permissions: [
      { resource: 'org.customer', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.billing', actions: ['create', 'read', 'update', 'delete', 'archive', 'start'] },
      { resource: 'org.product', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.quote', actions: ['read', 'execute'] },
      { resource: 'org.invoice', actions: ['create', 'read', 'update', 'delete', 'archive', 'finalize', 'send'] },
      { resource: 'org.creditNote', actions: ['create', 'read', 'update', 'delete', 'archive', 'finalize', 'send'] },
      { resource: 'org.usage', actions: ['read'] },
      { resource: 'org.revenueRecognition', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.settings', actions: ['read', 'invite'] },
      { resource: 'org.integration', actions: ['read'] },
      { resource: 'org.tax', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.asset', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.watchtower', actions: ['read'] },
      { resource: 'org.bulkAction', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.savedView', actions: ['create', 'read', 'update', 'delete', 'archive'] },
    ],
  },
  salesUser: {
    roleName: 'salesUser',
    permissions: [
      { resource: 'org.customer', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.billing', actions: ['read'] },
      { resource: 'org.product', actions: ['read'] },
      { resource: 'org.quote', actions: ['create', 'read', 'update', 'delete', 'archive', 'publish', 'accept'] },
      { resource: 'org.invoice', actions: ['read'] },
      { resource: 'org.creditNote', actions: ['read'] },
      { resource: 'org.usage', actions: ['read'] },
      { resource: 'org.revenueRecognition', actions: ['read'] },
      { resource: 'org.settings', actions: ['read', 'invite'] },
      { resource: 'org.integration', actions: ['read'] },
      { resource: 'org.tax', actions: ['read'] },
      { resource: 'org.asset', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.watchtower', actions: ['read'] },
      { resource: 'org.bulkAction', actions: ['create', 'read', 'update', 'delete', 'archive'] },
      { resource: 'org.savedView', actions: ['create', 'read', 'update', 'delete', 'archive'] },
    ],
  },
  readOnlyUser: {
    roleName: 'readOnlyUser',
    permissions: [
      { resource: 'org.customer', actions: ['read'] },
      { resource: 'org.billing', actions: ['read'] },
      { resource: 'org.product', actions: ['read'] },
      { resource: 'org.quote', actions: ['read'] },
      { resource: 'org.invoice', actions: ['read'] },
      { resource: 'org.creditNote', actions: ['read'] },
      { resource: 'org.usage', actions: ['read'] },
      { resource: 'org.revenueRecognition', actions: ['read'] },
      { resource: 'org.settings', actions: ['read'] },
      { resource: 'org.integration', actions: ['read'] },
      { resource: 'org.tax', actions: ['read'] },
      { resource: 'org.asset', actions: ['read'] },
      { resource: 'org.watchtower', actions: ['read'] },
      { resource: 'org.bulkAction', actions: ['read'] },
      { resource: 'org.savedView', actions: ['read'] },
    ],
  },
}

// MSW handlers (placeholder until the handlers land): `import { sequenceHandlers } from 'sequence-mock/msw'`.
export {}

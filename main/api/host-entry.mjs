// Starts the app host process with the TypeScript sources run through tsx (see host-process.ts).
import { register } from 'tsx/esm/api';

register();
await import('./host-process.ts');

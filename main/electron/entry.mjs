// Electron's entry point: registers tsx so the main process runs the TypeScript sources as they are.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');

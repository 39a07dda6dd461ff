// Entry of the process that hosts the app: `--data DIR` names the data folder. Under Electron's
// utilityProcess the channel is process.parentPort; under Node's child_process.fork it is process.send.
import { defaultDataDir } from '../core/store/data-dir.ts';
import { openApp } from './app.ts';
import { serveOnChannel, type Channel, type HostMessage } from './host.ts';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const flag = process.argv.indexOf('--data');
const app = openApp(flag >= 0 && process.argv[flag + 1] ? process.argv[flag + 1] : defaultDataDir());
const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
const channel: Channel = parentPort
  ? {
      post: (m) => parentPort.postMessage(m),
      listen: (h) => parentPort.on('message', (e) => h(e.data as HostMessage)),
    }
  : { post: (m) => process.send!(m), listen: (h) => process.on('message', (m) => h(m as HostMessage)) };
serveOnChannel(app, channel);
process.on('disconnect', () => {
  app.close();
  process.exit(0);
});

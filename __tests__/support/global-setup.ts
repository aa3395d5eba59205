import { installPackedPackage } from './packed-project';

/** Builds and installs the package once before the suite; the build itself runs in `pretest`. */
export default function globalSetup(): void {
  if (process.env.AGENTTAPE_SKIP_PACK === '1') return;
  installPackedPackage();
}

import { version } from '../../package.json';

/** The package version, recorded in every run's config. */
export const PACKAGE_VERSION: string = version;

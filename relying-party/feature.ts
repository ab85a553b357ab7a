/*
 * One part of a relying party (the cabinet's home, personal data, documents, notifications, НМО's
 * events): its pages, its control routes, its share of a fresh run's data, its cleanup on reset and
 * its tab in the cabinet. server.ts lists the parts each portal has (features.ts); app.ts mounts them.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Html } from '../lib/html.ts';
import type { RpConfig } from './config.ts';
import type { ControlRoutes } from './control.ts';
import type { Seeder } from './data.ts';
import type { RpSession } from './sessions.ts';
import type { RegisterRecord } from './register.ts';
import type { Brand } from './views/layout.ts';
import type { ResetHook, Workspace, Workspaces } from './workspaces.ts';

/** The signed-in person on a cabinet page: their run's data, their session and their register record. */
export interface Cabinet {
  ws: Workspace;
  session: RpSession;
  record: RegisterRecord;
}

export interface CabinetTab {
  path: string;
  label: string;
  testid: string;
}

export interface PageHelpers {
  config: RpConfig;
  brand: Brand;
  workspaces: Workspaces;
  /** The signed-in person, or undefined: a cabinet route then sends the browser to the landing page. */
  cabinet(ctx: Context): Promise<Cabinet | undefined>;
  /** Answers an HTML page (no-store); forms in it get the form token. */
  send(ctx: Context, body: Html, status?: number): void;
  /** The cabinet's tabs, the current one marked, with the unread notifications badge. */
  nav(cabinet: Cabinet, current: string): Html;
  log(entry: Record<string, unknown>): void;
}

export interface RpFeature {
  name: string;
  routes?(router: Router, h: PageHelpers): void;
  controls?: ControlRoutes;
  seeders?: readonly Seeder[];
  onReset?: ResetHook;
  tab?: CabinetTab;
}

/** One icon per workbench section, shared by the activity bar and empty states. */
import { Boxes, Database, FileCode2, FlaskConical, FolderKanban, ListChecks, Network, Radio, SquareTerminal, type LucideIcon } from 'lucide-react';
import type { ViewId } from '../../../protocol/desktop-api.ts';

export const sectionIcons: Record<ViewId, LucideIcon> = {
  cluster: Network,
  projects: FolderKanban,
  datasets: Database,
  jobs: ListChecks,
  experiments: FlaskConical,
  models: Boxes,
  streams: Radio,
  terminal: SquareTerminal,
  editor: FileCode2,
};

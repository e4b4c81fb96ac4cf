/** A project's members: the add-member form for those who may add, then the table. */
import { useShallow } from 'zustand/react/shallow';
import type { Project } from '../../../protocol/projects.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectAbilities } from '../../store/projects-slice.ts';
import { AddMemberForm } from './AddMemberForm.tsx';
import { MembersTable } from './MembersTable.tsx';

export function MembersTab({ project }: { project: Project }) {
  const can = useAppState(useShallow(selectAbilities));
  return (
    <div className="members-tab">
      {can.addMembers && <AddMemberForm project={project} canInvite={can.invite} canChangeRoles={can.changeRoles} />}
      <MembersTable project={project} />
    </div>
  );
}

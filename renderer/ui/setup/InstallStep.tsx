/**
 * The wizard's last step: one row per host with its live progress from `provision.progress`,
 * then either the way into the new cluster or what went wrong and what to do.
 */
import { CircleCheck, CircleX, Clock } from 'lucide-react';
import { draftHosts } from '../../app/new-cluster.ts';
import { useAppState } from '../../store/app-store.ts';
import { progressKey } from '../../store/provision-progress.ts';
import { selectProvisioning } from '../../store/provisioning-slice.ts';
import type { Wizard } from '../../store/wizard-slice.ts';
import { ProvisionStatus } from '../common/ProvisionStatus.tsx';

export function InstallStep({ wizard }: { wizard: Wizard }) {
  const provisioning = useAppState(selectProvisioning);
  const name = wizard.draft.name.trim();
  const { install } = wizard;
  return (
    <div className="wizard-step" data-step="install">
      {install.state === 'running' && (
        <p className="step-intro" role="status">
          Installing the agents of {name}. This takes a minute or two per host; you may leave this page, the install goes on and
          reports to the notifications.
        </p>
      )}
      {install.state === 'done' && (
        <div className="outcome" data-tone="healthy" role="status">
          <CircleCheck size={18} aria-hidden="true" />
          <p>
            Cluster <strong>{name}</strong> is ready with {install.hosts.length} {install.hosts.length === 1 ? 'host' : 'hosts'}.
          </p>
        </div>
      )}
      {install.state === 'failed' && (
        <div className="outcome" data-tone="failed" role="alert">
          <CircleX size={18} aria-hidden="true" />
          <div>
            <p>{install.problem.message}</p>
            <p className="field-hint">{install.problem.hint}</p>
          </div>
        </div>
      )}
      <ul className="progress-list">
        {draftHosts(wizard.draft).map((host, index) => {
          const target = host.target.trim();
          const row = provisioning[progressKey(name, target)];
          return (
            <li key={host.id} className="progress-row" data-testid="progress-row" data-target={target} data-phase={row?.phase ?? 'waiting'}>
              <div className="progress-host">
                <span className="badge" data-role={index === 0 ? 'head' : 'worker'}>
                  {index === 0 ? 'head' : 'worker'}
                </span>
                <span className="mono">{target}</span>
                {host.labels.map((label) => (
                  <span key={label} className="chip">
                    {label}
                  </span>
                ))}
              </div>
              {row === undefined ? (
                <p className="progress-waiting">
                  <Clock size={13} aria-hidden="true" /> {install.state === 'running' ? 'Waiting for its turn…' : 'Not started.'}
                </p>
              ) : (
                <ProvisionStatus row={row} label={target} />
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

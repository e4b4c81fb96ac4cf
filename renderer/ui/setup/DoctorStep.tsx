/**
 * The wizard's third step: the doctor's checklist for every host, run side by side. Each
 * check shows its result in words and icon, what was found, and how to fix a problem.
 */
import { CircleCheck, CircleX, LoaderCircle, TriangleExclamationPoint, type LucideIcon } from 'lucide-react';
import type { DoctorCheck } from '../../../protocol/cluster-setup.ts';
import { draftHosts } from '../../app/new-cluster.ts';
import type { StateTone } from '../common/StateLabel.tsx';
import type { Wizard } from '../../store/wizard-slice.ts';

const checkLook: Record<DoctorCheck['status'], { icon: LucideIcon; tone: StateTone; word: string }> = {
  ok: { icon: CircleCheck, tone: 'healthy', word: 'OK' },
  warn: { icon: TriangleExclamationPoint, tone: 'warning', word: 'Warning' },
  fail: { icon: CircleX, tone: 'failed', word: 'Failed' },
};

export function DoctorStep({ wizard }: { wizard: Wizard }) {
  return (
    <div className="wizard-step" data-step="doctor">
      <p className="step-intro">Hopsdesk logs in to every host and checks that it can run the agent. Nothing is installed yet.</p>
      <div className="doctor-hosts">
        {draftHosts(wizard.draft).map((host, index) => {
          const target = host.target.trim();
          const run = wizard.doctor[target];
          const ready = run?.state === 'done' ? String(run.report.ready) : run?.state === 'failed' ? 'false' : 'pending';
          const failed = run?.state === 'done' ? run.report.checks.filter((c) => c.status === 'fail').length : 0;
          const warned = run?.state === 'done' ? run.report.checks.filter((c) => c.status === 'warn').length : 0;
          return (
            <section key={host.id} className="doctor-host" data-testid="doctor-host" data-target={target} data-ready={ready} aria-label={`Checks of ${target}`}>
              <header className="doctor-host-header">
                <span className="badge" data-role={index === 0 ? 'head' : 'worker'}>
                  {index === 0 ? 'head' : 'worker'}
                </span>
                <h3 className="mono">{target}</h3>
                {(run === undefined || run.state === 'running') && (
                  <span className="state-label" data-tone="running">
                    <LoaderCircle className="icon spin" size={14} aria-hidden="true" /> Checking…
                  </span>
                )}
                {run?.state === 'done' && (
                  <span className="state-label" data-tone={failed > 0 ? 'failed' : warned > 0 ? 'warning' : 'healthy'}>
                    {failed > 0 ? <CircleX size={14} aria-hidden="true" /> : <CircleCheck size={14} aria-hidden="true" />}
                    {failed > 0
                      ? `${failed} ${failed === 1 ? 'check' : 'checks'} failed`
                      : warned > 0
                        ? `Ready, ${warned} ${warned === 1 ? 'warning' : 'warnings'}`
                        : 'Ready'}
                  </span>
                )}
                {run?.state === 'failed' && (
                  <span className="state-label" data-tone="failed">
                    <CircleX size={14} aria-hidden="true" /> Could not check
                  </span>
                )}
              </header>
              {run?.state === 'failed' && (
                <div className="doctor-problem" role="alert">
                  <p>{run.problem.message}</p>
                  <p className="field-hint">{run.problem.hint}</p>
                </div>
              )}
              {run?.state === 'done' && (
                <ul className="doctor-checks">
                  {run.report.checks.map((check) => {
                    const look = checkLook[check.status];
                    const Icon = look.icon;
                    return (
                      <li key={check.id} className="doctor-check" data-testid="doctor-check" data-id={check.id} data-status={check.status}>
                        <span className="state-label" data-tone={look.tone} title={look.word}>
                          <Icon size={14} aria-hidden="true" />
                          <span className="visually-hidden">{look.word}: </span>
                        </span>
                        <span className="doctor-check-title">{check.title}</span>
                        <span className="doctor-check-detail">{check.detail}</span>
                        {check.fix && check.status !== 'ok' && <span className="doctor-check-fix">{check.fix}</span>}
                      </li>
                    );
                  })}
                </ul>
              )}
            </section>
          );
        })}
      </div>
    </div>
  );
}

/**
 * The wizard's second step: each host's SSH key fingerprint, to compare with the host before
 * trusting it. A key that changed since it was stored stops the wizard outright.
 */
import { KeyRound, LoaderCircle, ShieldCheck, ShieldX, TriangleExclamationPoint } from 'lucide-react';
import { errorCodes } from '../../../protocol/errors.ts';
import { appStore } from '../../store/app-store.ts';
import { keyTargets, type KeyRole, type Wizard } from '../../store/wizard-slice.ts';

const roleWord: Record<KeyRole, string> = { head: 'head', worker: 'worker', bastion: 'bastion' };

export function KeysStep({ wizard }: { wizard: Wizard }) {
  const targets = keyTargets(wizard.draft, wizard.keys);
  return (
    <div className="wizard-step" data-step="keys">
      <p className="step-intro">
        Before Hopsdesk logs in, compare each fingerprint with the one the host itself reports. On the host, run{' '}
        <code className="mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> (or ask its administrator).
      </p>
      <ul className="key-list">
        {targets.map(({ target, role }, index) => {
          const check = wizard.keys[target];
          const scan = check?.state === 'scanned' ? check.scan : null;
          const status = check === undefined || check.state === 'scanning' ? 'scanning' : check.state === 'failed' ? 'failed' : check.scan.status;
          return (
            <li key={`${role}-${target}`} className="key-row" data-testid="hostkey-row" data-target={target} data-fingerprint={scan?.fingerprint ?? ''} data-status={status}>
              <div className="key-host">
                <span className="badge" data-role={role === 'head' ? 'head' : undefined}>
                  {roleWord[role]}
                </span>
                <span className="mono">{target}</span>
              </div>
              {status === 'scanning' && (
                <p className="key-status" data-tone="running">
                  <LoaderCircle className="spin" size={14} aria-hidden="true" /> Reading the host key…
                </p>
              )}
              {check?.state === 'failed' && (
                <div className="key-problem" role="alert">
                  <p className="key-status" data-tone="failed">
                    <TriangleExclamationPoint size={14} aria-hidden="true" /> {check.problem.message}
                  </p>
                  <p className="field-hint">{check.problem.hint}</p>
                </div>
              )}
              {scan !== null && scan.status === 'trusted' && (
                <>
                  <Fingerprint keyType={scan.keyType} fingerprint={scan.fingerprint} />
                  <p className="key-status" data-tone="healthy">
                    <ShieldCheck size={14} aria-hidden="true" /> Trusted: this is the key Hopsdesk stored for this host before.
                  </p>
                </>
              )}
              {scan !== null && scan.status === 'new' && (
                <>
                  <Fingerprint keyType={scan.keyType} fingerprint={scan.fingerprint} />
                  <label className="key-confirm">
                    <input
                      type="checkbox"
                      checked={wizard.confirmed[target] === scan.fingerprint}
                      data-testid={`hostkey-confirm-${index}`}
                      onChange={(event) => appStore.getState().keyConfirmed(target, event.target.checked ? scan.fingerprint : null)}
                    />
                    <KeyRound size={14} aria-hidden="true" /> I compared this fingerprint with the host
                  </label>
                </>
              )}
              {scan !== null && scan.status === 'changed' && (
                <div className="key-changed" role="alert">
                  <p className="key-status" data-tone="failed">
                    <ShieldX size={14} aria-hidden="true" /> The host key of {target} changed. Hopsdesk will not connect to it.
                  </p>
                  <dl className="key-compare">
                    <dt>Stored</dt>
                    <dd className="mono">{scan.previousFingerprint ?? 'unknown'}</dd>
                    <dt>Now ({scan.keyType})</dt>
                    <dd className="mono">{scan.fingerprint}</dd>
                  </dl>
                  <p className="field-hint">{errorCodes.HOST_KEY_CHANGED.hint}</p>
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** A key type and its SHA-256 fingerprint, as `ssh-keygen -l` shows it. */
export function Fingerprint({ keyType, fingerprint }: { keyType: string; fingerprint: string }) {
  return (
    <p className="key-fingerprint">
      <span className="key-type">{keyType}</span>
      <span className="mono fingerprint">{fingerprint}</span>
    </p>
  );
}

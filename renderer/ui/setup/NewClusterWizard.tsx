/**
 * Adding an SSH cluster, as a page in the main area: hosts, host keys, checks, install.
 * Keyboard first: Enter goes on where it can, Escape cancels until the install starts,
 * and each step's heading takes focus so a screen reader says where the user is.
 */
import { ArrowLeft, ArrowRight, Network, RotateCw } from 'lucide-react';
import { useEffect, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { appStore, useAppState } from '../../store/app-store.ts';
import { doctorVerdict, keysVerdict, selectWizard, WIZARD_STEPS, type Wizard, type WizardStep } from '../../store/wizard-slice.ts';
import { useSession } from '../session-context.ts';
import { DoctorStep } from './DoctorStep.tsx';
import { HostsStep } from './HostsStep.tsx';
import { InstallStep } from './InstallStep.tsx';
import { KeysStep } from './KeysStep.tsx';
import '../../styles/setup.css';

const headings: Record<WizardStep, string> = {
  hosts: 'Which hosts form the cluster?',
  keys: 'Are these the hosts you mean?',
  doctor: 'Can the hosts run the agent?',
  install: 'Installing',
};

export function NewClusterWizard() {
  const wizard = useAppState(selectWizard);
  if (wizard === null) return null;
  return <WizardPage wizard={wizard} />;
}

function WizardPage({ wizard }: { wizard: Wizard }) {
  const session = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  const stepIndex = WIZARD_STEPS.findIndex((s) => s.step === wizard.step);
  const cancellable = wizard.step !== 'install' || wizard.install.state !== 'running';
  const close = () => appStore.getState().closeWizard();
  const back = (step: WizardStep) => appStore.getState().wizardStepShown(step);

  const firstRender = useRef(true);
  useEffect(() => {
    // The first step focuses its first field instead; later steps announce themselves.
    if (firstRender.current && wizard.step === 'hosts') {
      firstRender.current = false;
      return;
    }
    firstRender.current = false;
    heading.current?.focus();
  }, [wizard.step]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    if (wizard.step === 'install') return;
    event.preventDefault();
    close();
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (wizard.step === 'hosts') session.setup.submitHosts();
    else if (wizard.step === 'keys') session.setup.submitKeys();
    else if (wizard.step === 'doctor') session.setup.submitDoctor();
  };

  return (
    <form className="wizard" data-testid="wizard" data-step={wizard.step} aria-labelledby="wizard-title" onKeyDown={onKeyDown} onSubmit={onSubmit} noValidate>
      <header className="wizard-header">
        <div className="wizard-title">
          <Network size={18} aria-hidden="true" />
          <h1 id="wizard-title">Add an SSH cluster</h1>
        </div>
        <ol className="wizard-steps" aria-label="Steps">
          {WIZARD_STEPS.map((s, index) => (
            <li key={s.step} aria-current={s.step === wizard.step ? 'step' : undefined} data-done={index < stepIndex ? 'true' : undefined}>
              <span className="wizard-step-number num">{index + 1}</span>
              {s.title}
            </li>
          ))}
        </ol>
      </header>
      <h2 ref={heading} className="wizard-heading" tabIndex={-1}>
        {headings[wizard.step]}
      </h2>
      {wizard.step === 'hosts' && <HostsStep wizard={wizard} />}
      {wizard.step === 'keys' && <KeysStep wizard={wizard} />}
      {wizard.step === 'doctor' && <DoctorStep wizard={wizard} />}
      {wizard.step === 'install' && <InstallStep wizard={wizard} />}
      <WizardFooter wizard={wizard} cancellable={cancellable} onClose={close} onBack={back} />
    </form>
  );
}

interface FooterProps {
  wizard: Wizard;
  cancellable: boolean;
  onClose(): void;
  onBack(step: WizardStep): void;
}

function WizardFooter({ wizard, cancellable, onClose, onBack }: FooterProps) {
  const session = useSession();
  const keys = keysVerdict(wizard);
  const doctor = doctorVerdict(wizard);
  const scanning = Object.values(wizard.keys).some((k) => k.state === 'scanning');

  let blocker: string | null = null;
  if (wizard.step === 'keys') {
    if (keys.changed) blocker = 'A host key changed: the wizard cannot go on. Sort out the host first.';
    else if (scanning) blocker = 'Reading host keys…';
    else if (Object.values(wizard.keys).some((k) => k.state === 'failed')) blocker = 'Some keys could not be read; fix the host or the address and scan again.';
    else if (!keys.ready) blocker = 'Confirm each new fingerprint to go on.';
  }
  if (wizard.step === 'doctor') {
    if (doctor.running) blocker = 'Checking the hosts…';
    else if (!doctor.ready) blocker = `Fix what failed on ${doctor.failing === 1 ? 'one host' : `${doctor.failing} hosts`}, then run the checks again.`;
  }

  const { step, install } = wizard;
  return (
    <footer className="wizard-footer">
      <p className="wizard-blocker" role="status" data-testid="wizard-blocker">
        {blocker}
      </p>
      <div className="wizard-buttons">
        {step === 'keys' && (
          <button type="button" className="button" onClick={() => onBack('hosts')}>
            <ArrowLeft size={14} aria-hidden="true" /> Back
          </button>
        )}
        {step === 'doctor' && (
          <button type="button" className="button" onClick={() => onBack('keys')}>
            <ArrowLeft size={14} aria-hidden="true" /> Back
          </button>
        )}
        {step === 'install' && install.state === 'failed' && (
          <button type="button" className="button" onClick={() => onBack('doctor')}>
            <ArrowLeft size={14} aria-hidden="true" /> Back to the checks
          </button>
        )}
        {cancellable && (
          <button type="button" className="button" onClick={onClose} data-testid="wizard-cancel">
            {step === 'install' ? 'Close' : 'Cancel'}
          </button>
        )}
        {step === 'install' && install.state === 'running' && (
          <button type="button" className="button" onClick={onClose} title="The install goes on; its outcome goes to the notifications.">
            Hide
          </button>
        )}
        {step === 'keys' && (
          <button type="button" className="button" onClick={() => void session.setup.scanKeys()} disabled={scanning}>
            <RotateCw size={14} aria-hidden="true" /> Scan again
          </button>
        )}
        {step === 'doctor' && (
          <button type="button" className="button" onClick={() => void session.setup.runDoctor()} disabled={doctor.running}>
            <RotateCw size={14} aria-hidden="true" /> Run the checks again
          </button>
        )}
        {step === 'install' && install.state === 'failed' && (
          <button type="button" className="button" onClick={() => void session.setup.install()}>
            <RotateCw size={14} aria-hidden="true" /> Try again
          </button>
        )}
        {step !== 'install' && (
          <button
            type="submit"
            className="button button-primary"
            data-testid="wizard-next"
            disabled={(step === 'keys' && !keys.ready) || (step === 'doctor' && !doctor.ready)}
          >
            {step === 'hosts' ? 'Next: host keys' : step === 'keys' ? 'Next: checks' : 'Install'} <ArrowRight size={14} aria-hidden="true" />
          </button>
        )}
        {step === 'install' && install.state === 'done' && (
          <button type="button" className="button button-primary" data-testid="wizard-open-cluster" onClick={() => void session.setup.openCluster()} autoFocus>
            Open cluster <ArrowRight size={14} aria-hidden="true" />
          </button>
        )}
      </div>
    </footer>
  );
}

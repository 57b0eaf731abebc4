/** Builds the panel's sections (in reading order) and keeps the views that draw into them. */
import { AttentionPanel } from './attentionPanel';
import { TrainingCharts } from './charts';
import { RunControls } from './controls';
import { el, section } from './dom';
import { t } from './i18n';
import { Header } from './header';
import { MessageRegion } from './messages';
import { TryIt } from './tryIt';

export interface LabUi {
  header: Header;
  messages: MessageRegion;
  contract: HTMLElement;
  charts: TrainingCharts;
  attention: AttentionPanel;
  shapes: HTMLElement;
  samples: HTMLElement;
  tryIt: TryIt;
  controls: RunControls;
  /** The sections that need a run (everything but the header, messages and contract). */
  runSections: HTMLElement[];
}

export function buildLayout(root: HTMLElement, separator: string, onStateChange: () => void): LabUi {
  const messages = new MessageRegion();
  const ui: LabUi = {
    header: new Header(),
    messages,
    contract: el('div', { className: 'contract' }),
    charts: new TrainingCharts(),
    attention: new AttentionPanel(separator, onStateChange),
    shapes: el('div', { className: 'shapes' }),
    samples: el('div', { className: 'samples-body' }),
    tryIt: new TryIt(separator),
    controls: new RunControls((message) => messages.add(message)),
    runSections: [],
  };
  const part = (id: string, title: string, content: HTMLElement): HTMLElement => {
    const s = section(id, title);
    s.body.appendChild(content);
    return s.root;
  };
  const contract = el(
    'details',
    { className: 'panel-section contract-section', attrs: { id: 'contract', open: true } },
    [el('summary', {}, [el('h2', { text: t('contractTitle') })]), ui.contract],
  );
  ui.runSections = [
    part('charts-section', t('chartsTitle'), ui.charts.root),
    part('attention-section', t('attentionTitle'), ui.attention.root),
    part('shapes-section', t('shapesTitle'), ui.shapes),
    part('samples-section', t('samplesTitle'), ui.samples),
    part('try-section', t('tryTitle'), ui.tryIt.root),
    part('controls-section', t('controlsTitle'), ui.controls.root),
  ];
  root.replaceChildren(
    ui.header.root,
    messages.root,
    el('main', { className: 'lab-main' }, [contract, ...ui.runSections]),
  );
  return ui;
}

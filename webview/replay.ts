/**
 * Replaying attention through training time: the snapshot slider, its label, a play / pause button
 * and a speed. Playing moves one snapshot at a time: the owner is asked for the next one
 * (`onSeek`) and says when it is drawn (`shown`); only then does the next step wait its turn, so
 * at most one request for a snapshot is in flight however slow the host is. Dragging the slider
 * pauses; so does hiding the panel. Keyboard: the button (Space / Enter), and Space or Enter on the
 * slider itself, play and pause. Used by the lab's attention section and the comparison's maps.
 */
import { el, setText } from './dom';
import { t } from './i18n';
import { IndexSelect } from './select';

/** Playback speeds: snapshots a second is 1000 / (BASE_STEP_MS / speed). */
export const SPEEDS = [0.5, 1, 2, 4] as const;
const BASE_STEP_MS = 900;
const DEFAULT_SPEED = 1;

export interface ReplayOptions {
  /** Prefix of the controls' ids: `<id>-slider`, `<id>-value`, `<id>-play`, `<id>-speed`. */
  id: string;
  label: string;
  ariaLabel: string;
  /** Show snapshot `index`; `playing`: a step of the replay (ask at once, not after a drag's pause). */
  onSeek(index: number, playing: boolean): void;
}

export class ReplayControls {
  readonly root: HTMLElement;
  readonly slider: HTMLInputElement;
  readonly value: HTMLOutputElement;
  readonly button: HTMLButtonElement;
  private readonly speed: IndexSelect;
  private count = 0;
  private index = 0;
  private playing = false;
  /** Waiting for the owner to draw the snapshot a step asked for. */
  private awaiting = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private speedIndex: number = SPEEDS.indexOf(DEFAULT_SPEED);

  constructor(private readonly options: ReplayOptions) {
    const { id } = options;
    this.slider = el('input', {
      className: 'epoch-slider',
      attrs: { id: `${id}-slider`, type: 'range', min: 0, max: 0, step: 1, value: 0, 'aria-label': options.ariaLabel },
    });
    this.value = el('output', { className: 'epoch-value', attrs: { id: `${id}-value`, for: `${id}-slider` } });
    this.button = el('button', {
      className: 'replay-play',
      attrs: { id: `${id}-play`, type: 'button', 'aria-pressed': 'false', 'aria-controls': `${id}-slider` },
    });
    this.speed = new IndexSelect(`${id}-speed`, t('replaySpeed'), (index) => {
      this.speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, index));
      if (this.playing && !this.awaiting) this.schedule();
    });
    this.speed.root.classList.add('replay-speed');
    this.slider.addEventListener('input', () => {
      this.pause();
      this.options.onSeek(Number(this.slider.value), false);
    });
    this.slider.addEventListener('keydown', (event) => {
      if (event.key === ' ' || event.key === 'Enter') {
        event.preventDefault();
        this.toggle();
      }
    });
    this.button.addEventListener('click', () => this.toggle());
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) this.pause();
    });
    this.root = el('div', { className: 'control epoch-control replay' }, [
      el('label', { className: 'control-label', text: options.label, attrs: { for: `${id}-slider` } }),
      el('div', { className: 'replay-row' }, [this.button, this.slider]),
      this.value,
      this.speed.root,
    ]);
    this.renderButton();
    this.speed.update(
      SPEEDS.map((speed) => t('replaySpeedValue', { speed })),
      this.speedIndex,
    );
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** `count` snapshots, `index` the one shown (or being fetched), `label` what the value says. */
  update(count: number, index: number, label: string): void {
    this.count = count;
    this.index = Math.max(0, Math.min(index, count - 1));
    this.slider.max = String(Math.max(0, count - 1));
    this.slider.value = String(this.index);
    this.slider.disabled = count < 2;
    this.button.disabled = count < 2;
    if (count < 2) this.pause();
    setText(this.value, label);
    this.slider.setAttribute('aria-valuetext', label);
  }

  /** The snapshot last asked for is drawn (or was already there): a playing replay takes its next step in turn. */
  shown(): void {
    if (!this.awaiting) return;
    this.awaiting = false;
    if (this.playing) this.schedule();
  }

  /** Stops playing (the slider stays where it is). */
  pause(): void {
    clearTimeout(this.timer);
    this.awaiting = false;
    if (!this.playing) return;
    this.playing = false;
    this.renderButton();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  play(): void {
    if (this.count < 2 || this.playing) return;
    this.playing = true;
    this.renderButton();
    if (this.index >= this.count - 1) this.step(0);
    else this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.playing) return;
      if (this.index >= this.count - 1) this.pause();
      else this.step(this.index + 1);
    }, BASE_STEP_MS / SPEEDS[this.speedIndex]);
  }

  private step(index: number): void {
    this.awaiting = true;
    this.index = index;
    this.options.onSeek(index, true);
  }

  private renderButton(): void {
    const label = this.playing ? t('replayPause') : t('replayPlay');
    setText(this.button, `${this.playing ? '⏸' : '▶'} ${label}`);
    this.button.setAttribute('aria-pressed', String(this.playing));
    this.button.setAttribute('aria-label', this.playing ? t('replayPauseAria') : t('replayPlayAria'));
    this.root?.setAttribute('data-playing', String(this.playing));
  }
}

import { describe, expect, it } from 'vitest';
import { MESSAGE_EVENTS_PER_RUN, MessageEventLog } from './message-events.js';

describe(MessageEventLog.name, () => {
  it('knows a quarantined message by its id and an oversized one by account, folder and server id', () => {
    const log = new MessageEventLog(5, 1024);
    const inbox = log.forFolder('INBOX');
    inbox.quarantined({ id: 41, size: 10, subject: 'x'.repeat(300), reason: 'empty message' });
    inbox.oversized({ id: '7', seq: 1, size: 5000 });
    inbox.oversized({ id: '7', seq: 1, size: 5000 }); // listed again in the same run
    log.forFolder('Archive').oversized({ id: '7', seq: 1, size: 5000 }); // UID 7 of another folder
    const [quarantined, oversized, archived] = log.events;
    expect(log.events).toHaveLength(3);
    expect(quarantined).toMatchObject({ id: 'evt_message-quarantined_41', data: { messageId: 41, folder: 'INBOX' } });
    expect(quarantined!.data.subject).toHaveLength(250);
    expect(oversized!.id).not.toBe(archived!.id);
    const again = new MessageEventLog(5, 1024);
    again.forFolder('INBOX').oversized({ id: '7', seq: 3, size: 5000 });
    expect(again.events[0]!.id).toBe(oversized!.id); // the next run: the same event, delivered once
  });

  it(`publishes at most ${MESSAGE_EVENTS_PER_RUN} a run and counts the rest`, () => {
    const log = new MessageEventLog(5, 1024);
    const inbox = log.forFolder('INBOX');
    for (let id = 1; id <= MESSAGE_EVENTS_PER_RUN + 5; id++)
      inbox.quarantined({ id, size: 1, subject: null, reason: 'empty message' });
    expect(log.events).toHaveLength(MESSAGE_EVENTS_PER_RUN);
    expect(log.dropped).toBe(5);
  });
});

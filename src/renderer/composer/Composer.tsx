// The composer: free text while WhatsApp's 24-hour window is open, the template picker when it is closed; in a group,
// a note that replies go to the whole group.
import { useState } from 'react';
import { useAppStore } from '../store/use-app-store';
import { strings } from '../ui/strings';
import { useNow } from '../ui/use-now';
import { composerMode } from './composer-mode';
import { TemplateComposer } from './TemplateComposer';
import { TextComposer } from './TextComposer';

export function Composer({ conversationId }: { conversationId: string }) {
  const conversation = useAppStore((s) => s.summaries[conversationId]?.conversation);
  // The window can close while the conversation is open: look again every 30 s (the service refuses late sends anyway).
  const now = useNow(30_000);
  const [templatesWanted, setTemplatesWanted] = useState(false);
  if (conversation === undefined) return <div className="composer composer-placeholder" />;
  const mode = composerMode(conversation, now);
  let composer;
  if (mode.kind === 'template') composer = <TemplateComposer conversationId={conversationId} closedReason={mode.reason} onDone={null} />;
  else if (templatesWanted) composer = <TemplateComposer conversationId={conversationId} closedReason={null} onDone={() => setTemplatesWanted(false)} />;
  else composer = <TextComposer conversationId={conversationId} onTemplates={() => setTemplatesWanted(true)} />;
  if ((conversation.group ?? null) === null) return composer;
  // A WhatsApp group: whatever is sent here reaches every participant, never one of them privately.
  return (
    <>
      <p className="composer-note">{strings.kinds.identity.groupNote}</p>
      {composer}
    </>
  );
}

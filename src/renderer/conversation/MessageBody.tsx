// The inside of a bubble, by message type: text, media, location, template, button reply, contact cards, order, form
// answer, a deleted message, or "not shown here". System lines are not bubbles (MessageRow draws them).
import type { MessageContent } from '../../shared/domain';
import { strings } from '../ui/strings';
import { textDirection } from '../ui/text-direction';
import { useAppStore } from '../store/use-app-store';
import { fillTemplate } from '../ui/template-text';
import { AudioClip } from './AudioClip';
import { FileCard } from './FileCard';
import { MediaImage } from './MediaImage';
import { Icon } from '../ui/icons';
import { ContactCards } from './ContactCards';
import { systemText } from './message-label';
import { OrderBody } from './OrderBody';

const m = strings.message;
const k = strings.kinds;

export function MessageBody({ content }: { content: MessageContent }) {
  switch (content.type) {
    case 'text':
      return <Text text={content.body} />;
    case 'image':
    case 'sticker':
      return (
        <>
          <MediaImage
            mediaId={content.mediaId}
            alt={content.caption ?? (content.type === 'sticker' ? m.kinds.sticker : m.kinds.image)}
            sticker={content.type === 'sticker'}
          />
          {content.caption !== undefined && content.caption !== '' && <Text text={content.caption} />}
        </>
      );
    case 'document':
    case 'video':
      return (
        <>
          <FileCard mediaId={content.mediaId} kind={content.type} fileName={content.fileName ?? null} size={content.size ?? null} mimeType={content.mimeType} />
          {content.caption !== undefined && content.caption !== '' && <Text text={content.caption} />}
        </>
      );
    case 'audio':
      return <AudioClip mediaId={content.mediaId} voice={content.voice === true} />;
    case 'location':
      return <Location content={content} />;
    case 'template':
      return <TemplateBody name={content.name} language={content.language} parameters={content.parameters} />;
    case 'button_reply':
      return (
        <p className="text">
          <span className="kind-label">{m.kinds.buttonReply}</span> <bdi>{content.text}</bdi>
        </p>
      );
    case 'reaction':
      return <p className="text muted">{content.emoji === '' ? m.reactionRemoved : m.reactedToEarlier(content.emoji)}</p>;
    case 'contacts':
      return <ContactCards contacts={content.contacts} />;
    case 'order':
      return <OrderBody order={content} />;
    case 'interactive_reply':
      return <InteractiveReply content={content} />;
    case 'system':
      return <p className="text muted">{systemText(content)}</p>;
    case 'deleted':
      return <p className="text muted deleted">{k.deleted}</p>;
    case 'unsupported':
      return <p className="text muted unsupported">{m.unsupportedLong(content.waType)}</p>;
  }
}

/** A Flow's answers (or another interactive reply's fields) as label/value pairs. */
function InteractiveReply({ content }: { content: Extract<MessageContent, { type: 'interactive_reply' }> }) {
  return (
    <div className="interactive-reply">
      <span className="kind-label">
        {k.interactive[content.kind]}
        {content.title !== undefined && content.title !== '' && (
          <>
            {' · '}
            <bdi>{content.title}</bdi>
          </>
        )}
      </span>
      {content.fields.length > 0 && (
        <dl className="fields">
          {content.fields.map((field, i) => (
            <div key={i} className="field">
              <dt>
                <bdi>{field.label}</bdi>
              </dt>
              <dd dir="auto">{field.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

function Text({ text }: { text: string }) {
  return (
    <p className="text" dir={textDirection(text)}>
      {text}
    </p>
  );
}

function Location({ content }: { content: Extract<MessageContent, { type: 'location' }> }) {
  const href = `https://www.openstreetmap.org/?mlat=${content.latitude}&mlon=${content.longitude}#map=17/${content.latitude}/${content.longitude}`;
  return (
    <div className="location">
      <span className="kind-label">
        <Icon name="pin" /> {m.kinds.location}
      </span>
      {content.name !== undefined && <bdi className="location-name">{content.name}</bdi>}
      {content.address !== undefined && <bdi className="muted">{content.address}</bdi>}
      <span className="muted">
        {content.latitude.toFixed(5)}, {content.longitude.toFixed(5)}
      </span>
      <a href={href} target="_blank" rel="noreferrer noopener">
        {m.openMap}
      </a>
    </div>
  );
}

function TemplateBody({ name, language, parameters }: { name: string; language: string; parameters: readonly string[] }) {
  const template = useAppStore((s) => s.templates.items.find((t) => t.name === name && t.language === language));
  return (
    <div className="template-body">
      <span className="kind-label">{m.templateLabel(name)}</span>
      {template === undefined ? (
        <p className="text">{parameters.join(' · ')}</p>
      ) : (
        <p className="text" dir="auto">
          {fillTemplate(template.body, parameters).map((part, i) =>
            part.parameter === null ? <span key={i}>{part.text}</span> : <strong key={i}>{part.text}</strong>,
          )}
        </p>
      )}
    </div>
  );
}

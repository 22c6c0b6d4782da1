// A minimal Quizroom player: join a room, watch it, answer every question
// (the first option, or a guess for typed answers) and print how it went.
//
//   node quiz-client.js ROOM_CODE NAME [ADDRESS]
//
// ADDRESS defaults to 127.0.0.1:50051. QUIZ_PROTO names the directory that
// holds quiz/v1/quiz.proto (default: the repository's proto/).
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [code, name, address = '127.0.0.1:50051'] = process.argv.slice(2);
const protoDir = process.env.QUIZ_PROTO || path.join(__dirname, '..', '..', 'proto');
const definition = protoLoader.loadSync('quiz/v1/quiz.proto', {
  includeDirs: [protoDir],
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const { quiz } = grpc.loadPackageDefinition(definition);
const client = new quiz.v1.QuizService(address, grpc.credentials.createInsecure());

function millis(t) {
  return Number(t.seconds) * 1000 + t.nanos / 1e6;
}

// answer waits for the options to open, then answers.
function answer(auth, question, serverTime) {
  const wait = Math.max(millis(question.opensAt) - millis(serverTime), 0);
  setTimeout(() => {
    console.log(`question ${question.index + 1}/${question.count}: ${question.text}`);
    const reply = question.kind === 'QUESTION_KIND_TYPED_ANSWER' ? { text: 'a guess' } : { choices: [0] };
    client.SubmitAnswer({ roomCode: code, questionIndex: question.index, answer: reply }, auth, (err) => {
      if (err) console.error(`answer refused: ${err.details}`);
    });
  }, wait);
}

client.JoinRoom({ roomCode: code, name }, (err, joined) => {
  if (err) {
    console.error(`cannot join: ${err.details}`);
    process.exit(1);
  }
  console.log(`joined room ${joined.room.code} as ${joined.name}`);
  const auth = new grpc.Metadata();
  auth.set('authorization', `Bearer ${joined.playerToken}`);
  const stream = client.Watch({ roomCode: code }, auth);
  stream.on('data', ({ event, personal }) => {
    switch (event.payload) {
      case 'questionOpened':
        answer(auth, event.questionOpened, event.serverTime);
        break;
      case 'snapshot':
        if (event.snapshot.phase === 'PHASE_QUESTION' && !event.snapshot.answered) {
          answer(auth, event.snapshot.question, event.serverTime);
        }
        break;
      case 'questionRevealed': {
        const { result, standing } = personal;
        const points = result.points >= 0 ? `+${result.points}` : `${result.points}`;
        const verdict = result.correct ? 'right' : result.points > 0 ? 'partly right' : 'no points';
        console.log(`  ${verdict}: ${points} points, rank ${standing.rank}, score ${standing.score}`);
        break;
      }
      case 'gameFinished':
        console.log(`final place ${personal.standing.rank} of ${event.gameFinished.playerCount} with ${personal.standing.score} points`);
        stream.cancel();
        client.close();
        break;
      case 'roomClosed':
        console.log(`the room closed: ${event.roomClosed.reason}`);
        stream.cancel();
        client.close();
        break;
    }
  });
  stream.on('error', (e) => {
    if (e.code !== grpc.status.CANCELLED) {
      console.error(`the stream failed: ${e.details}`);
      process.exit(1);
    }
  });
});

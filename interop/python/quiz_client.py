"""A minimal Quizroom player: join a room, watch it, answer every question
(the first option, or a guess for typed answers) and print how it went.

    python3 quiz_client.py ROOM_CODE NAME [ADDRESS]

ADDRESS defaults to 127.0.0.1:50051. The stubs come from proto/ (see
proto/README.md): put the directory holding quiz/v1/quiz_pb2.py on
PYTHONPATH.
"""
import sys
import time

import grpc
from quiz.v1 import quiz_pb2, quiz_pb2_grpc

Event = quiz_pb2.Event


def answer(quiz, auth, code, question, server_time):
    """Waits for the options to open, then answers."""
    wait = question.opens_at.ToDatetime() - server_time.ToDatetime()
    time.sleep(max(wait.total_seconds(), 0))
    if question.kind == quiz_pb2.QUESTION_KIND_TYPED_ANSWER:
        reply = quiz_pb2.Answer(text="a guess")
    else:
        reply = quiz_pb2.Answer(choices=[0])
    print(f"question {question.index + 1}/{question.count}: {question.text}")
    quiz.SubmitAnswer(
        quiz_pb2.SubmitAnswerRequest(room_code=code, question_index=question.index, answer=reply),
        metadata=auth,
    )


def main():
    code, name = sys.argv[1], sys.argv[2]
    address = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1:50051"
    with grpc.insecure_channel(address) as channel:
        quiz = quiz_pb2_grpc.QuizServiceStub(channel)
        joined = quiz.JoinRoom(quiz_pb2.JoinRoomRequest(room_code=code, name=name))
        auth = [("authorization", "Bearer " + joined.player_token)]
        print(f"joined room {joined.room.code} as {joined.name}")
        for resp in quiz.Watch(quiz_pb2.WatchRequest(room_code=code), metadata=auth):
            event, personal = resp.event, resp.personal
            kind = event.WhichOneof("payload")
            if kind == "question_opened":
                answer(quiz, auth, code, event.question_opened, event.server_time)
            elif kind == "snapshot" and event.snapshot.phase == quiz_pb2.PHASE_QUESTION:
                if not event.snapshot.answered:
                    answer(quiz, auth, code, event.snapshot.question, event.server_time)
            elif kind == "question_revealed":
                result, standing = personal.result, personal.standing
                verdict = "right" if result.correct else "partly right" if result.points > 0 else "no points"
                print(f"  {verdict}: {result.points:+d} points, rank {standing.rank}, score {standing.score}")
            elif kind == "game_finished":
                standing = personal.standing
                print(f"final place {standing.rank} of {event.game_finished.player_count} with {standing.score} points")
                return
            elif kind == "room_closed":
                print("the room closed: " + event.room_closed.reason)
                return


if __name__ == "__main__":
    main()
